using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Backbone;

/// <summary>maskrcnn-benchmark's stem: 7×7 stride-2 convolution (conv1), norm (bn1), ReLU, 3×3 stride-2 max-pool: stride 4.</summary>
public sealed class ResNetStem : nn.Module<Tensor, Tensor>, IInferenceFusable
{
    readonly Conv2d conv;
    readonly nn.Module<Tensor, Tensor> norm;
    FoldedConv? folded;

    public ResNetStem(int outChannels, NormLayerFactory norm, int inChannels = 3) : base(nameof(ResNetStem))
    {
        conv = ConvLayers.KaimingUniform(inChannels, outChannels, 7, 2, padding: 3);
        this.norm = norm(outChannels);
        register_module("conv1", conv);
        register_module("bn1", this.norm);
        InChannels = inChannels;
        OutChannels = outChannels;
    }

    public int InChannels { get; }
    public int OutChannels { get; }

    /// <summary>Layers are registered by hand under maskrcnn-benchmark's names; TorchSharp would also register
    /// every module-typed field under the field's name.</summary>
    protected override void RegisterComponents() { }

    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4 || input.size(1) != InChannels)
            throw new ArgumentException($"ResNetStem: expected [N, {InChannels}, H, W], got [{string.Join(", ", input.shape)}]");
        using var scope = torch.NewDisposeScope();
        var x = folded is not null && !training ? folded.Forward(input) : norm.call(conv.call(input));
        return nn.functional.max_pool2d(x.relu_(), 3, 2, 1).MoveToOuterDisposeScope();
    }

    public bool IsFused => folded is not null;

    /// <summary>Folds a frozen batch norm into conv1; with GroupNorm the stem stays as it is.</summary>
    public void Fuse()
    {
        Unfuse();
        folded = FoldedConv.TryFold(conv, norm);
    }

    public void Unfuse()
    {
        folded?.Dispose();
        folded = null;
    }

    public override void train(bool train = true)
    {
        base.train(train);
        if (train) Unfuse();
    }

    // A snapshot stays where it was made: moving the module (device or dtype) drops it.
    protected override nn.Module _to(Device device, ScalarType dtype, bool non_blocking)
    {
        Unfuse();
        return base._to(device, dtype, non_blocking);
    }

    protected override nn.Module _to(DeviceType deviceType, int deviceIndex, bool non_blocking)
    {
        Unfuse();
        return base._to(deviceType, deviceIndex, non_blocking);
    }

    protected override nn.Module _to(ScalarType dtype, bool non_blocking)
    {
        Unfuse();
        return base._to(dtype, non_blocking);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Unfuse();
        base.Dispose(disposing);
    }
}
