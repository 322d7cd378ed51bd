using MaskRcnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Layers;

/// <summary>
/// RoIAlign over a feature pyramid, as torchvision's MultiScaleRoIAlign (maskrcnn-benchmark's Pooler): each box
/// is pooled from the level <see cref="LevelMapper"/> assigns it, at that level's scale, with aligned = false.
/// Scales are given (maskrcnn-benchmark's POOLER_SCALES) or inferred per level as 2^round(log2(feature / image))
/// from the feature height and the largest image height. With one level every box is pooled from it.
/// </summary>
public sealed class MultiScaleRoIAlign
{
    readonly IReadOnlyList<double>? scales;
    readonly int canonicalScale, canonicalLevel;

    /// <param name="scales">Spatial scale of each level, finest first; null to infer them from the feature and image sizes.</param>
    public MultiScaleRoIAlign(int outputHeight, int outputWidth, int samplingRatio, IReadOnlyList<double>? scales = null,
        int canonicalScale = 224, int canonicalLevel = 4, ComputePath path = ComputePath.Auto)
    {
        RoiAlign.CheckOutputSize(outputHeight, outputWidth);
        if (scales is { Count: 0 }) throw new ArgumentException("MultiScaleRoIAlign: scales must name at least one level");
        OutputHeight = outputHeight;
        OutputWidth = outputWidth;
        SamplingRatio = samplingRatio;
        this.scales = scales?.ToArray();
        this.canonicalScale = canonicalScale;
        this.canonicalLevel = canonicalLevel;
        Path = path;
    }

    public int OutputHeight { get; }
    public int OutputWidth { get; }
    public int SamplingRatio { get; }
    public ComputePath Path { get; }

    /// <param name="features">Per level [N, C, H_l, W_l], finest first.</param>
    /// <param name="boxes">Per image [K_i, 4] boxes (x1, y1, x2, y2) in image coordinates; one entry per batch image.</param>
    /// <param name="imageSizes">Per image (height, width); needed only when the scales are inferred.</param>
    /// <returns>[ΣK_i, C, output_h, output_w], boxes in the given order.</returns>
    public Tensor Forward(IReadOnlyList<Tensor> features, IReadOnlyList<Tensor> boxes, IReadOnlyList<(int Height, int Width)>? imageSizes = null)
    {
        RoiAlign.CheckFeatures(features, nameof(MultiScaleRoIAlign));
        CheckBoxes(boxes, features[0]);
        var levelScales = Scales(features, imageSizes);
        using var scope = torch.NewDisposeScope();
        var levels = features.Count == 1 ? null : MapLevels(boxes, levelScales);
        var pooled = RoiAlign.UsesCpuKernel(Path, features[0], nameof(MultiScaleRoIAlign))
            ? PoolWithKernel(features, boxes, levels, levelScales)
            : PoolWithTensorOps(features, Rois(boxes), levels, levelScales);
        return pooled.MoveToOuterDisposeScope();
    }

    /// <summary>The level index (0 = finest) each box is pooled from, boxes of all images in order.</summary>
    public Tensor AssignLevels(IReadOnlyList<Tensor> features, IReadOnlyList<Tensor> boxes, IReadOnlyList<(int Height, int Width)>? imageSizes = null)
    {
        using var scope = torch.NewDisposeScope();
        return MapLevels(boxes, Scales(features, imageSizes)).MoveToOuterDisposeScope();
    }

    Tensor MapLevels(IReadOnlyList<Tensor> boxes, IReadOnlyList<double> levelScales) =>
        LevelMapper.ForScales(levelScales, canonicalScale, canonicalLevel).Map(torch.cat(boxes.ToArray()));

    /// <summary>The given scales, or torchvision's inference from the feature heights and the largest image height.</summary>
    public IReadOnlyList<double> Scales(IReadOnlyList<Tensor> features, IReadOnlyList<(int Height, int Width)>? imageSizes)
    {
        if (scales is not null)
        {
            if (scales.Count != features.Count)
                throw new ArgumentException($"MultiScaleRoIAlign: {scales.Count} scales for {features.Count} feature levels");
            return scales;
        }
        if (imageSizes is null || imageSizes.Count == 0)
            throw new ArgumentException("MultiScaleRoIAlign: image sizes are needed to infer the level scales");
        int maxHeight = imageSizes.Max(s => s.Height);
        return features.Select(f => InferScale(f.size(2), maxHeight)).ToArray();
    }

    /// <summary>The power of two nearest (in log2) to feature / image size, rounding halves to even as torch.round.</summary>
    static double InferScale(long featureSize, int imageSize) =>
        Math.Pow(2, MathF.Round(MathF.Log2((float)((double)featureSize / imageSize)), MidpointRounding.ToEven));

    Tensor PoolWithKernel(IReadOnlyList<Tensor> features, IReadOnlyList<Tensor> boxes, Tensor? levels, IReadOnlyList<double> levelScales)
    {
        var rois = new float[5 * boxes.Sum(b => b.size(0))];
        int row = 0;
        for (int image = 0; image < boxes.Count; image++)
        {
            using var imageBoxes = boxes[image].ToCpuContiguous(ScalarType.Float32);
            var values = imageBoxes.AsSpan<float>();
            for (int i = 0; i < values.Length; i += 4, row++)
            {
                rois[5 * row] = image;
                values.Slice(i, 4).CopyTo(rois.AsSpan(5 * row + 1));
            }
        }
        using var roiLevels = levels?.ToCpuContiguous(ScalarType.Int64);
        var geometry = features.Select((f, l) => new FeatureLevelGeometry((int)f.size(2), (int)f.size(3), levelScales[l])).ToArray();
        var sampling = RoiAlignSamplingPlan.Build(rois, roiLevels is null ? [] : roiLevels.AsSpan<long>(), geometry, (int)features[0].size(0), OutputHeight, OutputWidth, SamplingRatio, aligned: false);
        return RoiAlignFunction.Pool(features, sampling);
    }

    /// <summary>torchvision's way: RoIAlign per level on that level's RoIs, then back into box order.</summary>
    Tensor PoolWithTensorOps(IReadOnlyList<Tensor> features, Tensor rois, Tensor? levels, IReadOnlyList<double> levelScales)
    {
        if (levels is null)
            return RoiAlignTensorOps.Forward(features[0], rois, OutputHeight, OutputWidth, levelScales[0], SamplingRatio, aligned: false);
        levels = levels.to(rois.device);
        var outputs = new List<Tensor>();
        var order = new List<Tensor>();
        for (int l = 0; l < features.Count; l++)
        {
            var index = levels.eq(l).nonzero().flatten();
            order.Add(index);
            outputs.Add(RoiAlignTensorOps.Forward(features[l], rois.index_select(0, index), OutputHeight, OutputWidth, levelScales[l], SamplingRatio, aligned: false));
        }
        // Boxes whose level is not a number (negative-area boxes) are pooled by no level: zeros, as in torchvision.
        var unassigned = levels.lt(0).logical_or(levels.ge(features.Count)).nonzero().flatten();
        order.Add(unassigned);
        outputs.Add(torch.zeros([unassigned.size(0), features[0].size(1), OutputHeight, OutputWidth], features[0].dtype, features[0].device));
        return torch.cat(outputs).index_select(0, torch.cat(order).argsort());
    }

    /// <summary>torchvision's RoI format: [K, 5] rows of (image index, x1, y1, x2, y2).</summary>
    static Tensor Rois(IReadOnlyList<Tensor> boxes) =>
        torch.cat(boxes.Select((b, i) => torch.cat([torch.full([b.size(0), 1], i, b.dtype, b.device), b], 1)).ToArray());

    static void CheckBoxes(IReadOnlyList<Tensor> boxes, Tensor features)
    {
        if (boxes.Count != features.size(0))
            throw new ArgumentException($"MultiScaleRoIAlign: {boxes.Count} box lists for a batch of {features.size(0)} images");
        foreach (var b in boxes)
        {
            if (b.dim() != 2 || b.size(1) != 4)
                throw new ArgumentException($"MultiScaleRoIAlign: boxes must be [K, 4] per image, got [{string.Join(", ", b.shape)}]");
            if (!b.is_floating_point() || !RoiAlign.SameDevice(b, features))
                throw new ArgumentException($"MultiScaleRoIAlign: boxes must be floating point on the features' device, got {b.dtype} on {b.device}");
        }
    }
}
