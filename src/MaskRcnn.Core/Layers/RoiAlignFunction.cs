using MaskRcnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Layers;

/// <summary>
/// The C# RoIAlign kernel as an autograd node. Its inputs are the feature levels (one for plain RoIAlign); the
/// gradient goes to each level's feature map, none to the RoIs (as torchvision). The backward pass needs only
/// the sampling tables and the feature shapes, so no tensor is kept alive for it.
/// </summary>
sealed class RoiAlignFunction : autograd.SingleTensorFunction<RoiAlignFunction>
{
    const string SamplingKey = "sampling", ShapesKey = "shapes";

    public override string Name => "RoiAlignBackward";

    /// <summary>Pools contiguous-or-not float32 CPU <paramref name="features"/> ([N, C, H, W] each) into [K, C, output_h, output_w].</summary>
    public static Tensor Pool(IReadOnlyList<Tensor> features, RoiAlignSamplingPlan sampling) =>
        torch.is_grad_enabled() && features.Any(f => f.requires_grad)
            ? apply([sampling, .. features])
            : Forward(features, sampling);

    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        var sampling = (RoiAlignSamplingPlan)vars[0];
        var features = vars.Skip(1).Cast<Tensor>().ToList();
        ctx.save_data(SamplingKey, sampling);
        ctx.save_data(ShapesKey, features.Select(f => f.shape).ToArray());
        return Forward(features, sampling);
    }

    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
    {
        var sampling = (RoiAlignSamplingPlan)ctx.get_data(SamplingKey);
        var shapes = (long[][])ctx.get_data(ShapesKey);
        var grads = shapes.Select(s => HugePageTensors.Empty(s, ScalarType.Float32)).ToList(); // cleared by the kernel
        using (var grad = gradOutput.to(ScalarType.Float32).contiguous())
        unsafe
        {
            var planes = grads.Select(g => new RoiAlignCpuKernel.Planes((nint)g.Address<float>(), (int)g.size(0), (int)g.size(2), (int)g.size(3))).ToList();
            RoiAlignCpuKernel.Backward(sampling, grad.Address<float>(), planes, (int)shapes[0][1]);
        }
        return [null!, .. grads];
    }

    static Tensor Forward(IReadOnlyList<Tensor> features, RoiAlignSamplingPlan sampling)
    {
        long channels = features[0].size(1);
        var output = HugePageTensors.Empty([sampling.Rois.Length, channels, sampling.OutputHeight, sampling.OutputWidth], ScalarType.Float32);
        var contiguous = features.Select(f => f.contiguous()).ToList();
        try
        {
            unsafe
            {
                var planes = contiguous.Select(f => new RoiAlignCpuKernel.Planes((nint)f.Address<float>(), (int)f.size(0), (int)f.size(2), (int)f.size(3))).ToList();
                RoiAlignCpuKernel.Forward(sampling, planes, (int)channels, output.Address<float>());
            }
        }
        finally
        {
            foreach (var f in contiguous) f.Dispose();
        }
        return output;
    }
}
