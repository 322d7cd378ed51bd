namespace MaskRcnn.Modeling.RoiHeads.Keypoint;

/// <summary>
/// OpenCV's <c>resize(…, INTER_CUBIC)</c> of a float32 H×W×C map, the way maskrcnn-benchmark's keypoint decoding calls
/// it (one channel per keypoint): pixel centres aligned (source x = (dx + 0.5)·(sw/dw) − 0.5), Keys' cubic with
/// a = −0.75, edge pixels repeated past the border, a horizontal pass then a vertical one, in float32 and in OpenCV's
/// order of operations — which for the vertical pass depends on where the value sits in the interleaved row: its
/// 4-lane SIMD loop sums the four rows last to first, the scalar tail of each row first to last.
/// </summary>
static class BicubicResize
{
    const int Lanes = 4;

    /// <summary>Resizes channel <paramref name="channel"/> of <paramref name="channels"/> (given alone, row-major
    /// <paramref name="height"/>×<paramref name="width"/>) to <paramref name="outHeight"/>×<paramref name="outWidth"/>.</summary>
    public static float[] Resize(ReadOnlySpan<float> source, int height, int width, int outHeight, int outWidth, int channel = 0, int channels = 1)
    {
        var (xIndex, xWeights) = Taps(width, outWidth);
        var (yIndex, yWeights) = Taps(height, outHeight);
        var rows = new float[height * outWidth];
        for (int y = 0; y < height; y++)
        {
            var row = source.Slice(y * width, width);
            for (int dx = 0; dx < outWidth; dx++)
            {
                float v = 0;
                for (int j = 0; j < 4; j++) v += row[xIndex[dx * 4 + j]] * xWeights[dx * 4 + j];
                rows[y * outWidth + dx] = v;
            }
        }
        // Values of the interleaved output row from this index on are OpenCV's scalar tail.
        int rowLength = outWidth * channels, vectorEnd = rowLength - rowLength % Lanes;
        var result = new float[outHeight * outWidth];
        for (int dy = 0; dy < outHeight; dy++)
        {
            int r0 = yIndex[dy * 4] * outWidth, r1 = yIndex[dy * 4 + 1] * outWidth, r2 = yIndex[dy * 4 + 2] * outWidth, r3 = yIndex[dy * 4 + 3] * outWidth;
            float b0 = yWeights[dy * 4], b1 = yWeights[dy * 4 + 1], b2 = yWeights[dy * 4 + 2], b3 = yWeights[dy * 4 + 3];
            for (int dx = 0; dx < outWidth; dx++)
            {
                float s0 = rows[r0 + dx], s1 = rows[r1 + dx], s2 = rows[r2 + dx], s3 = rows[r3 + dx];
                result[dy * outWidth + dx] = dx * channels + channel < vectorEnd
                    ? s0 * b0 + (s1 * b1 + (s2 * b2 + s3 * b3))
                    : s0 * b0 + s1 * b1 + s2 * b2 + s3 * b3;
            }
        }
        return result;
    }

    /// <summary>For each output position, the four source indices (clamped to the edge) and their cubic weights.</summary>
    static (int[] Index, float[] Weights) Taps(int size, int outSize)
    {
        double scale = 1.0 / ((double)outSize / size);
        var index = new int[outSize * 4];
        var weights = new float[outSize * 4];
        for (int d = 0; d < outSize; d++)
        {
            float f = (float)((d + 0.5) * scale - 0.5);
            int s = (int)Math.Floor(f);
            f -= s;
            Coefficients(f, weights.AsSpan(d * 4, 4));
            for (int j = 0; j < 4; j++) index[d * 4 + j] = Math.Clamp(s - 1 + j, 0, size - 1);
        }
        return (index, weights);
    }

    /// <summary>Keys' cubic convolution weights for a fractional offset <paramref name="x"/>, a = −0.75, the last one
    /// making the four sum to one.</summary>
    static void Coefficients(float x, Span<float> c)
    {
        const float A = -0.75f;
        c[0] = ((A * (x + 1) - 5 * A) * (x + 1) + 8 * A) * (x + 1) - 4 * A;
        c[1] = ((A + 2) * x - (A + 3)) * x * x + 1;
        c[2] = ((A + 2) * (1 - x) - (A + 3)) * (1 - x) * (1 - x) + 1;
        c[3] = 1f - c[0] - c[1] - c[2];
    }
}
