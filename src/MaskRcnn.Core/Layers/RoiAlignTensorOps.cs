using MaskRcnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Layers;

/// <summary>
/// RoIAlign from whole-tensor ops, for devices without the C# kernel (CUDA). Sample positions and weights are
/// formed with the same float operations as torchvision's kernel; the feature map is read by index_select on
/// an [N·H·W, C] view, so autograd differentiates it by itself (an index_add into the input gradient).
/// RoIs are pooled in groups of equal sampling grid (one group unless the grid is adaptive) and in chunks that
/// bound the gathered samples in memory.
/// </summary>
static class RoiAlignTensorOps
{
    /// <summary>Gathered values per chunk (samples × channels): 4 MB temporaries. Larger chunks were slower on CPU,
    /// where fresh large allocations cost page faults; not tuned on a GPU.</summary>
    const long ChunkElements = 1L << 20;

    public static Tensor Forward(Tensor input, Tensor rois, int outputHeight, int outputWidth, double spatialScale, int samplingRatio, bool aligned)
    {
        using var scope = torch.NewDisposeScope();
        long channels = input.size(1), height = input.size(2), width = input.size(3);
        long count = rois.size(0);
        var dtype = input.dtype;
        var device = input.device;
        if (count == 0)
            return torch.zeros([0, channels, outputHeight, outputWidth], dtype, device).MoveToOuterDisposeScope();

        rois = rois.to(dtype, device);
        var batch = rois.select(1, 0).to(ScalarType.Int64);
        double offset = aligned ? 0.5 : 0.0;
        var startX = rois.select(1, 1) * spatialScale - offset;
        var startY = rois.select(1, 2) * spatialScale - offset;
        var roiWidth = rois.select(1, 3) * spatialScale - offset - startX;
        var roiHeight = rois.select(1, 4) * spatialScale - offset - startY;
        if (!aligned)
        {
            roiWidth = roiWidth.clamp_min(1);
            roiHeight = roiHeight.clamp_min(1);
        }
        var binHeight = roiHeight / outputHeight;
        var binWidth = roiWidth / outputWidth;
        // [N, C, H, W] → [N·H·W, C]: one index per sample position reads all channels.
        var source = input.permute(0, 2, 3, 1).reshape(-1, channels);

        var outputs = new List<Tensor>();
        var order = new List<long>();
        foreach (var ((gridH, gridW), members) in SamplingGroups(binHeight, binWidth, samplingRatio, outputHeight, outputWidth))
        {
            order.AddRange(members);
            if (gridH <= 0 || gridW <= 0)
            {
                outputs.Add(torch.zeros([members.Count, channels, outputHeight, outputWidth], dtype, device));
                continue;
            }
            long perRoi = (long)outputHeight * gridH * outputWidth * gridW * channels;
            int chunk = (int)Math.Clamp(ChunkElements / Math.Max(perRoi, 1), 1, members.Count);
            for (int first = 0; first < members.Count; first += chunk)
            {
                var index = torch.tensor(members.GetRange(first, Math.Min(chunk, members.Count - first)).ToArray(), device: device);
                var ys = SampleCoordinates(startY.index_select(0, index), binHeight.index_select(0, index), outputHeight, gridH);
                var xs = SampleCoordinates(startX.index_select(0, index), binWidth.index_select(0, index), outputWidth, gridW);
                outputs.Add(PoolChunk(source, batch.index_select(0, index), ys, xs, height, width, outputHeight, outputWidth, gridH, gridW));
            }
        }
        var pooled = torch.cat(outputs);
        if (!order.Select((roi, position) => roi == position).All(x => x))
            pooled = pooled.index_select(0, torch.tensor(order.ToArray(), device: device).argsort());
        return pooled.MoveToOuterDisposeScope();
    }

    /// <summary>RoIs by sampling grid (grid_h, grid_w), in RoI order within a group. Reads the grid sizes to the host once.</summary>
    static IEnumerable<KeyValuePair<(int GridH, int GridW), List<long>>> SamplingGroups(Tensor binHeight, Tensor binWidth, int samplingRatio, int outputHeight, int outputWidth)
    {
        long count = binHeight.size(0);
        if (samplingRatio > 0)
            return [new((samplingRatio, samplingRatio), Enumerable.Range(0, (int)count).Select(i => (long)i).ToList())];
        // Adaptive: ceil(roi_size / output_size), and bin = roi_size / output_size is that same float quotient.
        using var gridHeights = binHeight.ceil().ToCpuContiguous(ScalarType.Float32);
        using var gridWidths = binWidth.ceil().ToCpuContiguous(ScalarType.Float32);
        var gridH = gridHeights.AsSpan<float>();
        var gridW = gridWidths.AsSpan<float>();
        var groups = new Dictionary<(int, int), List<long>>();
        for (int k = 0; k < count; k++)
        {
            if ((double)gridH[k] * outputHeight > RoiAlignSamplingPlan.MaxAxisSamples || (double)gridW[k] * outputWidth > RoiAlignSamplingPlan.MaxAxisSamples)
                throw new ArgumentException($"RoI {k} needs an adaptive sampling grid of {gridH[k]}×{gridW[k]} per bin; the RoIs are far larger than the feature map");
            var key = ((int)gridH[k], (int)gridW[k]);
            if (!groups.TryGetValue(key, out var list)) groups[key] = list = [];
            list.Add(k);
        }
        return groups;
    }

    /// <summary>Bin p, sample i: start + p·bin + (i + ½)·bin / grid, in torchvision's float order. Returns [K, bins·grid].</summary>
    static Tensor SampleCoordinates(Tensor start, Tensor bin, int bins, int grid)
    {
        var p = torch.arange(bins, start.dtype, start.device).view(1, bins, 1);
        var i = (torch.arange(grid, start.dtype, start.device) + 0.5).view(1, 1, grid);
        var s = start.view(-1, 1, 1);
        var b = bin.view(-1, 1, 1);
        return (s + p * b + i * b / grid).view(-1, (long)bins * grid);
    }

    /// <summary>Neighbour indices and weights of each coordinate by torchvision's edge rules; samples outside the map get weight 0.</summary>
    static (Tensor Low, Tensor High, Tensor LowWeight, Tensor HighWeight) AxisTaps(Tensor coord, long size)
    {
        var outside = coord.ge(-1).logical_and(coord.le(size)).logical_not();
        var clamped = coord.clamp_min(0);
        var low = clamped.to(ScalarType.Int64);
        var atEnd = low.ge(size - 1);
        low = low.clamp_max(size - 1);
        var high = (low + 1).clamp_max(size - 1);
        clamped = torch.where(atEnd, low.to(coord.dtype), clamped);
        var highWeight = clamped - low.to(coord.dtype);
        var lowWeight = 1 - highWeight;
        return (low.masked_fill(outside, 0), high.masked_fill(outside, 0), lowWeight.masked_fill(outside, 0), highWeight.masked_fill(outside, 0));
    }

    static Tensor PoolChunk(Tensor source, Tensor batch, Tensor ys, Tensor xs, long height, long width, int outputHeight, int outputWidth, int gridH, int gridW)
    {
        long rois = ys.size(0), rowsPerRoi = ys.size(1), colsPerRoi = xs.size(1), channels = source.size(1);
        var (yLow, yHigh, yLowWeight, yHighWeight) = AxisTaps(ys, height);
        var (xLow, xHigh, xLowWeight, xHighWeight) = AxisTaps(xs, width);
        var planeStart = (batch * (height * width)).view(-1, 1);
        var lowRows = planeStart + yLow * width;
        var highRows = planeStart + yHigh * width;

        Tensor Tap(Tensor rows, Tensor cols, Tensor rowWeight, Tensor colWeight)
        {
            var index = (rows.unsqueeze(2) + cols.unsqueeze(1)).flatten();
            var weight = (rowWeight.unsqueeze(2) * colWeight.unsqueeze(1)).unsqueeze(3);
            return weight * source.index_select(0, index).view(rois, rowsPerRoi, colsPerRoi, channels);
        }

        var samples = Tap(lowRows, xLow, yLowWeight, xLowWeight) + Tap(lowRows, xHigh, yLowWeight, xHighWeight)
                      + Tap(highRows, xLow, yHighWeight, xLowWeight) + Tap(highRows, xHigh, yHighWeight, xHighWeight);
        var bins = samples.view(rois, outputHeight, gridH, outputWidth, gridW, channels).sum([2, 4]) / (gridH * gridW);
        return bins.permute(0, 3, 1, 2).contiguous();
    }
}
