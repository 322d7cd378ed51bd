namespace MaskRcnn.Layers;

/// <summary>
/// Sample positions and bilinear weights of every RoI, computed once and shared by all channels (and by the
/// backward pass). The grid is separable: a bin's samples are the product of its row samples and its column
/// samples, so each RoI stores output_h·grid_h row samples and output_w·grid_w column samples, and a weight is
/// the product of a row weight and a column weight — the same float products torchvision forms.
/// </summary>
sealed class RoiAlignSamplingPlan
{
    /// <summary>More samples than this means a RoI far larger than any feature map; refuse rather than allocate.</summary>
    internal const long MaxAxisSamples = 1L << 28;

    public required RoiGrid[] Rois { get; init; }
    /// <summary>Row samples; <see cref="AxisSample.Low"/>/<see cref="AxisSample.High"/> are row offsets (index·width).</summary>
    public required AxisSample[] Ys { get; init; }
    public required AxisSample[] Xs { get; init; }
    public required IReadOnlyList<FeatureLevelGeometry> Levels { get; init; }
    public required int OutputHeight { get; init; }
    public required int OutputWidth { get; init; }

    /// <param name="rois">K×5 row-major: batch index, x1, y1, x2, y2 in input coordinates.</param>
    /// <param name="roiLevels">The feature level of each RoI, or empty when there is one level; RoIs of no level pool to zeros.</param>
    public static RoiAlignSamplingPlan Build(ReadOnlySpan<float> rois, ReadOnlySpan<long> roiLevels, IReadOnlyList<FeatureLevelGeometry> levels,
        int batchSize, int outputHeight, int outputWidth, int samplingRatio, bool aligned)
    {
        int count = rois.Length / 5;
        var grids = new RoiGrid[count];
        // Torchvision computes in the input's precision: the scale is rounded to float first.
        var scales = levels.Select(l => (float)l.SpatialScale).ToArray();
        float offset = aligned ? 0.5f : 0f;
        long ySamples = 0, xSamples = 0;
        var starts = new (float Y, float X, float BinH, float BinW)[count];
        for (int k = 0; k < count; k++)
        {
            var roi = rois.Slice(5 * k, 5);
            long assigned = roiLevels.IsEmpty ? 0 : roiLevels[k];
            if ((ulong)assigned >= (ulong)levels.Count)
            {
                // No level (a negative-area box maps to NaN): pooled by none, zeros as in torchvision.
                grids[k] = new RoiGrid(0, 0, 0, 0, 0, 0);
                continue;
            }
            int level = (int)assigned;
            int batch = (int)roi[0];
            if ((uint)batch >= (uint)batchSize)
                throw new ArgumentException($"RoI {k} has batch index {roi[0]}, outside the batch of {batchSize}");
            float scale = scales[level];
            float x1 = roi[1] * scale - offset, y1 = roi[2] * scale - offset;
            float x2 = roi[3] * scale - offset, y2 = roi[4] * scale - offset;
            float roiWidth = x2 - x1, roiHeight = y2 - y1;
            if (!aligned)
            {
                // Degenerate RoIs are read as 1×1 in the legacy (maskrcnn-benchmark) convention.
                roiWidth = MathF.Max(roiWidth, 1f);
                roiHeight = MathF.Max(roiHeight, 1f);
            }
            float binH = roiHeight / outputHeight, binW = roiWidth / outputWidth;
            int gridH = samplingRatio > 0 ? samplingRatio : (int)MathF.Ceiling(roiHeight / outputHeight);
            int gridW = samplingRatio > 0 ? samplingRatio : (int)MathF.Ceiling(roiWidth / outputWidth);
            int yStart = (int)Math.Min(ySamples, int.MaxValue), xStart = (int)Math.Min(xSamples, int.MaxValue);
            grids[k] = new RoiGrid(level, batch, gridH, gridW, yStart, xStart);
            starts[k] = (y1, x1, binH, binW);
            if (!grids[k].IsEmpty)
            {
                ySamples += (long)outputHeight * gridH;
                xSamples += (long)outputWidth * gridW;
                if (ySamples > MaxAxisSamples || xSamples > MaxAxisSamples)
                    throw new ArgumentException($"RoI {k} ({roi[1]}, {roi[2]}, {roi[3]}, {roi[4]}) needs an adaptive sampling grid of {gridH}×{gridW} per bin; the RoIs are far larger than the feature map");
            }
        }

        var ys = new AxisSample[ySamples];
        var xs = new AxisSample[xSamples];
        for (int k = 0; k < count; k++)
        {
            var g = grids[k];
            if (g.IsEmpty) continue;
            var (startY, startX, binH, binW) = starts[k];
            var level = levels[g.Level];
            FillAxis(ys.AsSpan(g.YStart, outputHeight * g.GridHeight), startY, binH, g.GridHeight, level.Height, level.Width);
            FillAxis(xs.AsSpan(g.XStart, outputWidth * g.GridWidth), startX, binW, g.GridWidth, level.Width, 1);
        }
        return new RoiAlignSamplingPlan { Rois = grids, Ys = ys, Xs = xs, Levels = levels, OutputHeight = outputHeight, OutputWidth = outputWidth };
    }

    /// <summary>Sample i of bin p sits at start + p·bin + (i + ½)·bin / grid, evaluated in torchvision's float order.</summary>
    static void FillAxis(Span<AxisSample> samples, float start, float bin, int grid, int size, int stride)
    {
        int bins = samples.Length / grid;
        for (int p = 0; p < bins; p++)
            for (int i = 0; i < grid; i++)
            {
                float coord = start + p * bin + (i + .5f) * bin / grid;
                samples[p * grid + i] = AxisSample.At(coord, size, stride);
            }
    }
}
