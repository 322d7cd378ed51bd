using MaskRcnn.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Backbone.Fusion;

/// <summary>
/// A convolution and the frozen batch norm after it as one convolution (scaled weight, added bias): an
/// inference-only snapshot that saves a full read and write of every activation the norm touched.
/// </summary>
public sealed class FoldedConv : IDisposable
{
    readonly Tensor weight, bias;
    readonly long[] stride, padding, dilation;
    readonly long groups;

    FoldedConv(Tensor weight, Tensor bias, Conv2d conv)
    {
        this.weight = weight.DetachFromDisposeScope();
        this.bias = bias.DetachFromDisposeScope();
        stride = conv.stride;
        padding = conv.padding ?? throw new ArgumentException("FoldedConv: only explicit padding is supported");
        dilation = conv.dilation;
        groups = conv.groups;
    }

    /// <summary>The folded pair, or null when the norm is not a frozen batch norm (GroupNorm depends on the data).</summary>
    public static FoldedConv? TryFold(Conv2d conv, nn.Module<Tensor, Tensor> norm)
    {
        if (norm is not FrozenBatchNorm2d frozen) return null;
        var (w, b) = frozen.FoldInto(conv.weight, conv.bias);
        return new FoldedConv(w, b, conv);
    }

    public Tensor Forward(Tensor input) => ConvLayers.Apply(input, weight, bias, stride, padding, dilation, groups);

    public void Dispose()
    {
        weight.Dispose();
        bias.Dispose();
    }
}
