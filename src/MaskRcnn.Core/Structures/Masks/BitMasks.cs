using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Structures.Masks;

/// <summary>
/// Instance masks of one image as a bool tensor [N, H, W] (on any device), for annotations given as run-lengths.
/// The geometric operations are whole-tensor and run where the tensor lives; only the RLE conversions go through the
/// CPU, one bulk copy each. The tensor follows TorchSharp's dispose scopes like any other.
/// </summary>
public sealed class BitMasks : IInstanceMasks, ITensorHolder
{
    /// <param name="masks">[N, H, W] of Bool, or of Byte where non-zero means inside.</param>
    public BitMasks(Tensor masks)
    {
        if (masks.ndim != 3) throw new ArgumentException($"masks are [{string.Join(", ", masks.shape)}], expected [N, H, W]", nameof(masks));
        MaskTensors.CheckMaskDtype(masks.dtype);
        Tensor = masks.dtype == ScalarType.Bool ? masks : masks.ne(0);
    }

    /// <summary>The masks, bool [N, H, W].</summary>
    public Tensor Tensor { get; }

    public int Count => (int)Tensor.shape[0];
    public int Height => (int)Tensor.shape[1];
    public int Width => (int)Tensor.shape[2];

    /// <summary>Decodes run-lengths, all of <paramref name="height"/>×<paramref name="width"/>, onto <paramref name="device"/> (CPU if null).</summary>
    public static BitMasks FromRles(IReadOnlyList<Rle> rles, int height, int width, Device? device = null)
    {
        Rle.CheckSize(height, width);
        int pixels = height * width;
        var bytes = new byte[(long)rles.Count * pixels];
        for (int i = 0; i < rles.Count; i++)
        {
            if (rles[i].Height != height || rles[i].Width != width)
                throw new ArgumentException($"RLE {i} is {rles[i].Height}x{rles[i].Width}, not {height}x{width}", nameof(rles));
            rles[i].Decode(bytes.AsSpan(i * pixels, pixels));
        }
        return new BitMasks(MaskTensors.FromBytes(bytes, [rles.Count, height, width], ScalarType.Bool, device));
    }

    /// <summary>Each mask as COCO run-lengths (one copy to the CPU for all of them).</summary>
    public IReadOnlyList<Rle> ToRles()
    {
        using var scope = NewDisposeScope();
        int pixels = Height * Width;
        var rles = new Rle[Count];
        if (Count == 0) return rles;
        var rowMajor = Tensor.to(ScalarType.Byte).cpu().contiguous();
        var bytes = rowMajor.bytes;
        for (int i = 0; i < Count; i++)
            rles[i] = Rle.Encode(bytes.Slice(i * pixels, pixels), Height, Width);
        return rles;
    }

    /// <summary>Pixels in each mask.</summary>
    public long[] Area()
    {
        if (Count == 0) return [];
        using var scope = NewDisposeScope();
        using var values = Tensor.sum([1, 2], type: ScalarType.Int64).cpu().data<long>();
        return values.ToArray();
    }

    public BitMasks FlipHorizontal() => new(Tensor.flip(2));

    public BitMasks FlipVertical() => new(Tensor.flip(1));

    IEnumerable<Tensor> ITensorHolder.Tensors => [Tensor];

    /// <summary>Nearest-neighbour resize with torch's <c>interpolate(mode="nearest")</c> source index: floor(i · in/out).</summary>
    public BitMasks Resize(int height, int width)
    {
        MaskGeometry.CheckSize(height, width, "resize target");
        using var scope = NewDisposeScope();
        var rows = torch.tensor(NearestSourceIndices(Height, height), device: Tensor.device);
        var columns = torch.tensor(NearestSourceIndices(Width, width), device: Tensor.device);
        return new BitMasks(Tensor.index_select(1, rows).index_select(2, columns).MoveToOuterDisposeScope());
    }

    static long[] NearestSourceIndices(int inputSize, int outputSize)
    {
        // torch computes the ratio and the product in float32.
        float scale = (float)inputSize / outputSize;
        var indices = new long[outputSize];
        for (int i = 0; i < outputSize; i++)
            indices[i] = Math.Min((long)MathF.Floor(i * scale), inputSize - 1);
        return indices;
    }

    public BitMasks Crop(int left, int top, int right, int bottom)
    {
        MaskGeometry.CheckCrop(left, top, right, bottom);
        using var scope = NewDisposeScope();
        var cropped = torch.zeros(Count, bottom - top, right - left, ScalarType.Bool, Tensor.device);
        int x0 = Math.Max(left, 0), x1 = Math.Min(right, Width), y0 = Math.Max(top, 0), y1 = Math.Min(bottom, Height);
        if (x1 > x0 && y1 > y0)
            cropped.narrow(1, y0 - top, y1 - y0).narrow(2, x0 - left, x1 - x0)
                .copy_(Tensor.narrow(1, y0, y1 - y0).narrow(2, x0, x1 - x0));
        return new BitMasks(cropped.MoveToOuterDisposeScope());
    }

    public BitMasks Select(ReadOnlySpan<long> indices)
    {
        foreach (var index in indices)
            if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(indices), $"instance index {index} is outside 0..{Count - 1}");
        using var scope = NewDisposeScope();
        var selected = torch.tensor(indices.ToArray(), device: Tensor.device);
        return new BitMasks(Tensor.index_select(0, selected).MoveToOuterDisposeScope());
    }

    public Tensor ToTensor(ScalarType dtype = ScalarType.Bool)
    {
        MaskTensors.CheckMaskDtype(dtype);
        return dtype == ScalarType.Bool ? Tensor.alias() : Tensor.to(dtype);
    }

    /// <summary>
    /// Bilinear samples of each mask at the centres of a size×size grid over its box, like RoIAlign with aligned=True
    /// and one sample per bin: sample (r, c) is at x = x0 + (c + ½)·w/size, y = y0 + (r + ½)·h/size in image
    /// coordinates (pixel centres at +½), with RoIAlign's border rule. Thresholded at 0.5 to float 0/1.
    /// </summary>
    public Tensor CropAndResize(Tensor boxes, int size)
    {
        if (size <= 0) throw new ArgumentException($"mask size {size} is not positive", nameof(size));
        if (boxes.ndim != 2 || boxes.shape[1] != 4 || boxes.shape[0] != Count)
            throw new ArgumentException($"boxes are [{string.Join(", ", boxes.shape)}], expected [{Count}, 4]", nameof(boxes));
        using var scope = NewDisposeScope();
        if (Count == 0 || Height == 0 || Width == 0)
            return torch.zeros(Count, size, size, ScalarType.Float32, boxes.device).MoveToOuterDisposeScope();
        var corners = boxes.to(ScalarType.Float32, Tensor.device);
        var rows = AxisSamples.Of(corners.select(1, 1), corners.select(1, 3), size, Height);
        var columns = AxisSamples.Of(corners.select(1, 0), corners.select(1, 2), size, Width);
        long n = Count;
        // Read just the four neighbours of every sample from the flattened masks, then weigh them as RoIAlign does.
        var pixels = Tensor.flatten();
        var instanceStart = (torch.arange(n, ScalarType.Int64, Tensor.device) * ((long)Height * Width)).view(n, 1, 1);
        var rowLow = (rows.Low * Width).unsqueeze(2) + instanceStart;
        var rowHigh = (rows.High * Width).unsqueeze(2) + instanceStart;
        var columnLow = columns.Low.unsqueeze(1);
        var columnHigh = columns.High.unsqueeze(1);
        Tensor Read(Tensor row, Tensor column) => pixels.index_select(0, (row + column).flatten()).view(n, size, size).to(ScalarType.Float32);
        var (hy, ly) = (rows.WeightLow.unsqueeze(2), rows.WeightHigh.unsqueeze(2));
        var (hx, lx) = (columns.WeightLow.unsqueeze(1), columns.WeightHigh.unsqueeze(1));
        var sampled = hy * hx * Read(rowLow, columnLow) + hy * lx * Read(rowLow, columnHigh)
                    + ly * hx * Read(rowHigh, columnLow) + ly * lx * Read(rowHigh, columnHigh);
        return sampled.ge(0.5).to(ScalarType.Float32).to(boxes.device).MoveToOuterDisposeScope();
    }

    /// <summary>Per box, the two pixel indices and weights of each sample along one axis.</summary>
    readonly record struct AxisSamples(Tensor Low, Tensor High, Tensor WeightLow, Tensor WeightHigh)
    {
        /// <param name="start">Box start per instance [N] (image coordinates).</param>
        /// <param name="end">Box end per instance [N].</param>
        /// <param name="extent">Pixels along this axis.</param>
        public static AxisSamples Of(Tensor start, Tensor end, int size, int extent)
        {
            // RoIAlign aligned=True moves the box by −½ so that samples are in pixel-index coordinates (centres on integers);
            // the arithmetic follows its order: start + i·bin + ½·bin.
            var shiftedStart = start - 0.5f;
            var bin = ((end - 0.5f) - shiftedStart) / size;
            var steps = torch.arange(size, ScalarType.Float32, start.device);
            var coordinate = shiftedStart.unsqueeze(1) + steps.unsqueeze(0) * bin.unsqueeze(1) + (bin * 0.5f).unsqueeze(1);
            // Samples more than a pixel outside the image are 0; closer ones read the border pixel.
            var inside = coordinate.ge(-1.0f).logical_and(coordinate.le((float)extent)).to(ScalarType.Float32);
            coordinate = coordinate.clamp_min(0f);
            var low = coordinate.floor().to(ScalarType.Int64);
            var pastLast = low.ge(extent - 1);
            low = low.clamp_max(extent - 1);
            var high = (low + 1).clamp_max(extent - 1);
            var fraction = torch.where(pastLast, torch.zeros_like(coordinate), coordinate - low.to(ScalarType.Float32));
            return new(low, high, (1f - fraction) * inside, fraction * inside);
        }
    }

    IInstanceMasks IInstanceMasks.FlipHorizontal() => FlipHorizontal();
    IInstanceMasks IInstanceMasks.FlipVertical() => FlipVertical();
    IInstanceMasks IInstanceMasks.Resize(int height, int width) => Resize(height, width);
    IInstanceMasks IInstanceMasks.Crop(int left, int top, int right, int bottom) => Crop(left, top, right, bottom);
    IInstanceMasks IInstanceMasks.Select(ReadOnlySpan<long> indices) => Select(indices);
}
