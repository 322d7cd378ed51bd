using MaskRcnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Layers;

/// <summary>
/// RoIAlign with torchvision.ops.roi_align's semantics: each RoI is divided into output_h × output_w bins, and
/// each bin averages bilinear samples of the feature map on a sampling_ratio² grid (or ceil(roi_size / output_size)
/// per axis when sampling_ratio ≤ 0). <c>aligned</c> = false is the maskrcnn-benchmark/torchvision
/// default (RoI sizes clamped to ≥ 1); true is detectron2's (a −0.5 pixel shift, no clamp).
/// Differentiable with respect to the input; no gradient flows to the RoIs.
/// </summary>
public sealed class RoiAlign
{
    public RoiAlign(int outputHeight, int outputWidth, double spatialScale, int samplingRatio, bool aligned, ComputePath path = ComputePath.Auto)
    {
        CheckOutputSize(outputHeight, outputWidth);
        OutputHeight = outputHeight;
        OutputWidth = outputWidth;
        SpatialScale = spatialScale;
        SamplingRatio = samplingRatio;
        Aligned = aligned;
        Path = path;
    }

    public int OutputHeight { get; }
    public int OutputWidth { get; }
    public double SpatialScale { get; }
    public int SamplingRatio { get; }
    public bool Aligned { get; }
    public ComputePath Path { get; }

    /// <param name="input">[N, C, H, W] features.</param>
    /// <param name="rois">[K, 5]: batch index, x1, y1, x2, y2 in the input's image coordinates (scaled by the spatial scale).</param>
    /// <returns>[K, C, output_h, output_w].</returns>
    public Tensor Forward(Tensor input, Tensor rois)
    {
        CheckFeatures([input], nameof(RoiAlign));
        CheckRois(rois, input, nameof(RoiAlign));
        if (!UsesCpuKernel(Path, input, nameof(RoiAlign)))
            return RoiAlignTensorOps.Forward(input, rois, OutputHeight, OutputWidth, SpatialScale, SamplingRatio, Aligned);
        using var roisOnHost = rois.ToCpuContiguous(ScalarType.Float32);
        var sampling = RoiAlignSamplingPlan.Build(roisOnHost.AsSpan<float>(), [],
            [new FeatureLevelGeometry((int)input.size(2), (int)input.size(3), SpatialScale)],
            (int)input.size(0), OutputHeight, OutputWidth, SamplingRatio, Aligned);
        return RoiAlignFunction.Pool([input], sampling);
    }

    internal static void CheckOutputSize(int outputHeight, int outputWidth)
    {
        if (outputHeight <= 0 || outputWidth <= 0)
            throw new ArgumentException($"RoIAlign output size must be positive, got {outputHeight}×{outputWidth}");
    }

    /// <summary>Feature maps: float [N, C, H, W] with H, W ≥ 1, all on one device with the same N and C.</summary>
    internal static void CheckFeatures(IReadOnlyList<Tensor> features, string op)
    {
        if (features.Count == 0) throw new ArgumentException($"{op}: no feature maps given");
        var first = features[0];
        foreach (var f in features)
        {
            if (f.dim() != 4 || f.size(2) == 0 || f.size(3) == 0)
                throw new ArgumentException($"{op}: features must be [N, C, H, W] with H, W > 0, got [{string.Join(", ", f.shape)}]");
            if (!f.is_floating_point())
                throw new ArgumentException($"{op}: features must be floating point, got {f.dtype}");
            if (f.size(0) != first.size(0) || f.size(1) != first.size(1) || f.dtype != first.dtype || !SameDevice(f, first))
                throw new ArgumentException($"{op}: feature levels differ in batch size, channels, dtype or device");
        }
    }

    internal static void CheckRois(Tensor rois, Tensor input, string op)
    {
        if (rois.dim() != 2 || rois.size(1) != 5)
            throw new ArgumentException($"{op}: rois must be [K, 5] (batch index, x1, y1, x2, y2), got [{string.Join(", ", rois.shape)}]");
        if (!rois.is_floating_point())
            throw new ArgumentException($"{op}: rois must be floating point, got {rois.dtype}");
        if (!SameDevice(rois, input))
            throw new ArgumentException($"{op}: rois are on {rois.device}, the features on {input.device}");
    }

    // TorchSharp's Device has no value equality.
    internal static bool SameDevice(Tensor a, Tensor b) => a.device_type == b.device_type && a.device_index == b.device_index;

    /// <summary>Whether <paramref name="path"/> runs the C# kernel for this input; an explicit kernel request on an unsupported tensor is an error.</summary>
    internal static bool UsesCpuKernel(ComputePath path, Tensor input, string op)
    {
        bool supported = input.device_type == DeviceType.CPU && input.dtype == ScalarType.Float32;
        if (path == ComputePath.CpuKernel && !supported)
            throw new ArgumentException($"{op}: the CPU kernel takes float32 CPU tensors, got {input.dtype} on {input.device}");
        return path switch { ComputePath.CpuKernel => true, ComputePath.TensorOps => false, _ => supported };
    }
}
