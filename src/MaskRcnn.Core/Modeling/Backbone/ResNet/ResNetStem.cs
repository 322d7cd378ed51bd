using MaskRcnn.Modeling.Backbone.Fusion;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Backbone.ResNet;

/// <summary>maskrcnn-benchmark's stem: 7×7 stride-2 convolution (conv1), norm (bn1), ReLU, 3×3 stride-2 max-pool: stride 4.</summary>
public sealed class ResNetStem : FusableModule
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

    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4 || input.size(1) != InChannels)
            throw new ArgumentException($"ResNetStem: expected [N, {InChannels}, H, W], got [{string.Join(", ", input.shape)}]");
        using var scope = torch.NewDisposeScope();
        var x = folded is not null && !training ? folded.Forward(input) : norm.call(conv.call(input));
        return nn.functional.max_pool2d(x.relu_(), 3, 2, 1).MoveToOuterDisposeScope();
    }

    public override bool IsFused => folded is not null;

    /// <summary>Folds a frozen batch norm into conv1; with GroupNorm the stem stays as it is.</summary>
    public override void Fuse()
    {
        Unfuse();
        folded = FoldedConv.TryFold(conv, norm);
    }

    public override void Unfuse()
    {
        folded?.Dispose();
        folded = null;
    }
}
