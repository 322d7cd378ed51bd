using System.Numerics;

namespace MaskRcnn.Layers;

/// <summary>
/// RoIAlign over raw float memory, parallel over channels: a channel's feature plane (a few hundred KB) stays
/// in cache while every RoI reads it, and in the backward pass each thread owns whole gradient planes, so the
/// scatter needs no atomics and adds in torchvision's order (RoI, bin, sample), giving its exact sums.
/// </summary>
static unsafe class RoiAlignCpuKernel
{
    /// <summary>One feature level: contiguous [N, C, H, W] floats.</summary>
    public readonly record struct Planes(nint Data, int Batch, int Height, int Width)
    {
        public float* Plane(int batch, int channel, int channels) =>
            (float*)Data + ((long)batch * channels + channel) * Height * Width;
    }

    /// <param name="output">Contiguous [K, C, output_h, output_w].</param>
    public static void Forward(RoiAlignSamplingPlan sampling, IReadOnlyList<Planes> levels, int channels, float* output)
    {
        int rois = sampling.Rois.Length;
        if (rois == 0 || channels == 0) return;
        var options = KernelParallelism.Options();
        // Enough tiles to balance the threads; split the RoIs too when there are few channels.
        int roiChunks = Math.Clamp(4 * options.MaxDegreeOfParallelism / channels, 1, rois);
        var levelArray = levels.ToArray();
        nint outputAddress = (nint)output;
        Parallel.For(0, channels * roiChunks, options, tile =>
        {
            int channel = tile / roiChunks, chunk = tile % roiChunks;
            int first = (int)((long)chunk * rois / roiChunks), end = (int)((long)(chunk + 1) * rois / roiChunks);
            fixed (RoiGrid* grids = sampling.Rois)
            fixed (AxisSample* ys = sampling.Ys)
            fixed (AxisSample* xs = sampling.Xs)
                for (int k = first; k < end; k++)
                    ForwardRoi(sampling, grids[k], ys, xs, levelArray, channels, channel, (float*)outputAddress + ((long)k * channels + channel) * sampling.OutputHeight * sampling.OutputWidth);
        });
    }

    static void ForwardRoi(RoiAlignSamplingPlan sampling, in RoiGrid grid, AxisSample* ys, AxisSample* xs, Planes[] levels, int channels, int channel, float* bins)
    {
        int outH = sampling.OutputHeight, outW = sampling.OutputWidth;
        if (grid.IsEmpty)
        {
            new Span<float>(bins, outH * outW).Clear();
            return;
        }
        float* plane = levels[grid.Level].Plane(grid.Batch, channel, channels);
        int gridH = grid.GridHeight, gridW = grid.GridWidth;
        float count = grid.Count;
        AxisSample* roiYs = ys + grid.YStart, roiXs = xs + grid.XStart;
        for (int ph = 0; ph < outH; ph++)
        {
            AxisSample* binYs = roiYs + ph * gridH;
            for (int pw = 0; pw < outW; pw++)
            {
                AxisSample* binXs = roiXs + pw * gridW;
                float sum = 0f;
                for (int iy = 0; iy < gridH; iy++)
                {
                    AxisSample y = binYs[iy];
                    if (!y.IsInside) continue;
                    float* lowRow = plane + y.Low, highRow = plane + y.High;
                    for (int ix = 0; ix < gridW; ix++)
                    {
                        AxisSample x = binXs[ix];
                        if (!x.IsInside) continue;
                        float w1 = y.LowWeight * x.LowWeight, w2 = y.LowWeight * x.HighWeight;
                        float w3 = y.HighWeight * x.LowWeight, w4 = y.HighWeight * x.HighWeight;
                        sum += w1 * lowRow[x.Low] + w2 * lowRow[x.High] + w3 * highRow[x.Low] + w4 * highRow[x.High];
                    }
                }
                bins[ph * outW + pw] = sum / count;
            }
        }
    }

    /// <param name="gradOutput">Contiguous [K, C, output_h, output_w].</param>
    /// <param name="gradLevels">Contiguous [N, C, H, W] per level, uninitialised: each channel's planes are cleared by the task that then accumulates into them.</param>
    public static void Backward(RoiAlignSamplingPlan sampling, float* gradOutput, IReadOnlyList<Planes> gradLevels, int channels)
    {
        if (channels == 0) return;
        var levelArray = gradLevels.ToArray();
        nint gradAddress = (nint)gradOutput;
        Parallel.For(0, channels, KernelParallelism.Options(), channel =>
        {
            foreach (var level in levelArray)
                for (int b = 0; b < level.Batch; b++)
                    new Span<float>(level.Plane(b, channel, channels), level.Height * level.Width).Clear();
            fixed (RoiGrid* grids = sampling.Rois)
            fixed (AxisSample* ys = sampling.Ys)
            fixed (AxisSample* xs = sampling.Xs)
                for (int k = 0; k < sampling.Rois.Length; k++)
                    BackwardRoi(sampling, grids[k], ys, xs, levelArray, channels, channel, (float*)gradAddress + ((long)k * channels + channel) * sampling.OutputHeight * sampling.OutputWidth);
        });
    }

    static void BackwardRoi(RoiAlignSamplingPlan sampling, in RoiGrid grid, AxisSample* ys, AxisSample* xs, Planes[] gradLevels, int channels, int channel, float* gradBins)
    {
        if (grid.IsEmpty) return;
        int outH = sampling.OutputHeight, outW = sampling.OutputWidth;
        float* plane = gradLevels[grid.Level].Plane(grid.Batch, channel, channels);
        int gridH = grid.GridHeight, gridW = grid.GridWidth;
        long samples = (long)gridH * gridW;
        float count = samples;
        // torchvision divides each weighted gradient by the count; for a power-of-two count (sampling 1, 2, 4)
        // multiplying by the reciprocal rounds identically and spares the divisions.
        bool exactReciprocal = BitOperations.IsPow2(samples);
        float reciprocal = 1f / count;
        AxisSample* roiYs = ys + grid.YStart, roiXs = xs + grid.XStart;
        for (int ph = 0; ph < outH; ph++)
        {
            AxisSample* binYs = roiYs + ph * gridH;
            for (int pw = 0; pw < outW; pw++)
            {
                AxisSample* binXs = roiXs + pw * gridW;
                float g = gradBins[ph * outW + pw];
                for (int iy = 0; iy < gridH; iy++)
                {
                    AxisSample y = binYs[iy];
                    if (!y.IsInside) continue;
                    float* lowRow = plane + y.Low, highRow = plane + y.High;
                    for (int ix = 0; ix < gridW; ix++)
                    {
                        AxisSample x = binXs[ix];
                        if (!x.IsInside) continue;
                        float w1 = y.LowWeight * x.LowWeight, w2 = y.LowWeight * x.HighWeight;
                        float w3 = y.HighWeight * x.LowWeight, w4 = y.HighWeight * x.HighWeight;
                        float g1, g2, g3, g4;
                        if (exactReciprocal)
                        {
                            g1 = g * w1 * reciprocal; g2 = g * w2 * reciprocal; g3 = g * w3 * reciprocal; g4 = g * w4 * reciprocal;
                        }
                        else
                        {
                            g1 = g * w1 / count; g2 = g * w2 / count; g3 = g * w3 / count; g4 = g * w4 / count;
                        }
                        lowRow[x.Low] += g1;
                        lowRow[x.High] += g2;
                        highRow[x.Low] += g3;
                        highRow[x.High] += g4;
                    }
                }
            }
        }
    }
}
