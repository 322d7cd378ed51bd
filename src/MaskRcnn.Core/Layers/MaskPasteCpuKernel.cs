namespace MaskRcnn.Layers;

/// <summary>
/// Pastes masks into image-sized planes over raw float memory, one mask per task (each writes only its own
/// plane). Resizing follows torch's bilinear upsampling with align_corners = false, computed only for the
/// pixels that land inside the image.
/// </summary>
static unsafe class MaskPasteCpuKernel
{
    /// <param name="masks">Contiguous [N, mask_h, mask_w], unpadded.</param>
    /// <param name="boxes">N × (x0, y0, x1, y1): the integer boxes, inclusive, that the padded masks are resized onto.</param>
    /// <param name="output">Contiguous [N, image_h, image_w], fully written.</param>
    public static void Paste(float* masks, int count, int maskHeight, int maskWidth, int padding, long[] boxes, int imageHeight, int imageWidth, float* output)
    {
        nint masksAddress = (nint)masks, outputAddress = (nint)output;
        Parallel.For(0, count, KernelParallelism.Options(), i =>
        {
            var mask = new ReadOnlySpan<float>((float*)masksAddress + (long)i * maskHeight * maskWidth, maskHeight * maskWidth);
            var plane = (float*)outputAddress + (long)i * imageHeight * imageWidth;
            PasteOne(mask, maskHeight, maskWidth, padding, boxes.AsSpan(4 * i, 4), imageHeight, imageWidth, plane);
        });
    }

    static void PasteOne(ReadOnlySpan<float> mask, int maskHeight, int maskWidth, int padding, ReadOnlySpan<long> box, int imageHeight, int imageWidth, float* plane)
    {
        int paddedHeight = maskHeight + 2 * padding, paddedWidth = maskWidth + 2 * padding;
        long x0 = box[0], y0 = box[1], x1 = box[2], y1 = box[3];
        long width = Math.Max(x1 - x0 + 1, 1), height = Math.Max(y1 - y0 + 1, 1);
        int colStart = (int)Math.Clamp(x0, 0, imageWidth), colEnd = (int)Math.Clamp(x1 + 1, 0, imageWidth);
        int rowStart = (int)Math.Clamp(y0, 0, imageHeight), rowEnd = (int)Math.Clamp(y1 + 1, 0, imageHeight);
        if (colStart >= colEnd || rowStart >= rowEnd)
        {
            new Span<float>(plane, imageHeight * imageWidth).Clear();
            return;
        }
        new Span<float>(plane, rowStart * imageWidth).Clear();
        new Span<float>(plane + (long)rowEnd * imageWidth, (imageHeight - rowEnd) * imageWidth).Clear();

        var padded = new float[paddedHeight * paddedWidth];
        for (int r = 0; r < maskHeight; r++)
            mask.Slice(r * maskWidth, maskWidth).CopyTo(padded.AsSpan((r + padding) * paddedWidth + padding));

        var cols = new Tap[colEnd - colStart];
        for (int x = colStart; x < colEnd; x++)
            cols[x - colStart] = Tap.At(x - x0, paddedWidth, width);

        for (int y = rowStart; y < rowEnd; y++)
        {
            var row = Tap.At(y - y0, paddedHeight, height);
            float* line = plane + (long)y * imageWidth;
            new Span<float>(line, colStart).Clear();
            new Span<float>(line + colEnd, imageWidth - colEnd).Clear();
            var top = padded.AsSpan(row.Low * paddedWidth, paddedWidth);
            var bottom = padded.AsSpan(row.High * paddedWidth, paddedWidth);
            for (int x = colStart; x < colEnd; x++)
            {
                var col = cols[x - colStart];
                // torch's kernel for single-channel planes forms the four corner weights first.
                float w00 = row.LowWeight * col.LowWeight, w01 = row.LowWeight * col.HighWeight;
                float w10 = row.HighWeight * col.LowWeight, w11 = row.HighWeight * col.HighWeight;
                line[x] = top[col.Low] * w00 + top[col.High] * w01 + bottom[col.Low] * w10 + bottom[col.High] * w11;
            }
        }
    }

    /// <summary>Source neighbours and weights of one output index under align_corners = false resizing.</summary>
    readonly record struct Tap(int Low, int High, float LowWeight, float HighWeight)
    {
        public static Tap At(long target, int inputSize, long outputSize)
        {
            if (outputSize == inputSize) return new((int)target, (int)target, 1f, 0f);
            float scale = (float)inputSize / outputSize;
            float source = scale * (target + 0.5f) - 0.5f;
            if (source < 0) source = 0;
            int low = (int)source;
            int high = low < inputSize - 1 ? low + 1 : low;
            float highWeight = source - low;
            return new(low, high, 1f - highWeight, highWeight);
        }
    }
}
