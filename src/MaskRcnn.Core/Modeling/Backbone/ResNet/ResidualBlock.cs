using MaskRcnn.Modeling.Backbone.Fusion;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Backbone.ResNet;

/// <summary>
/// What ResNet's blocks share: a chain of (convolution, norm) pairs with ReLUs between them, a shortcut that is
/// the input or a projection (downsample: 1×1 convolution and norm), the sum and a final ReLU. Subclasses
/// register their layers under maskrcnn-benchmark's names and list the pairs; the forward passes, plain and
/// folded, live here.
/// </summary>
public abstract class ResidualBlock : FusableModule
{
    (Conv2d Conv, nn.Module<Tensor, Tensor> Norm)[] chain = [];
    (Conv2d Conv, nn.Module<Tensor, Tensor> Norm)? projection;
    FoldedConv[]? foldedChain;
    FoldedConv? foldedProjection;

    protected ResidualBlock(string name) : base(name) { }

    public int InChannels { get; private set; }
    public int OutChannels { get; private set; }

    /// <summary>Called once by the subclass constructor after registering its modules.</summary>
    protected void SetLayers(int inChannels, int outChannels, (Conv2d, nn.Module<Tensor, Tensor>)[] chain, (Conv2d, nn.Module<Tensor, Tensor>)? projection)
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        this.chain = chain;
        this.projection = projection;
    }

    /// <summary>The downsample projection maskrcnn-benchmark registers as <c>downsample</c> = Sequential(conv, norm).</summary>
    protected static (Conv2d, nn.Module<Tensor, Tensor>, Sequential) Projection(int inChannels, int outChannels, int stride, NormLayerFactory norm)
    {
        var conv = ConvLayers.KaimingUniform(inChannels, outChannels, 1, stride);
        var bn = norm(outChannels);
        return (conv, bn, nn.Sequential(conv, bn));
    }

    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4 || input.size(1) != InChannels)
            throw new ArgumentException($"{GetName()}: expected [N, {InChannels}, H, W], got [{string.Join(", ", input.shape)}]");
        using var scope = torch.NewDisposeScope();
        var output = foldedChain is not null && !training ? FoldedForward(input) : PlainForward(input);
        return output.MoveToOuterDisposeScope();
    }

    Tensor PlainForward(Tensor input)
    {
        var x = input;
        for (int i = 0; i < chain.Length; i++)
        {
            x = chain[i].Norm.call(ConvLayers.Apply(chain[i].Conv, x));
            if (i < chain.Length - 1) x = x.relu_();
        }
        var shortcut = projection is var (conv, norm) ? norm.call(ConvLayers.Apply(conv, input)) : input;
        return x.add_(shortcut).relu_();
    }

    Tensor FoldedForward(Tensor input)
    {
        var x = input;
        for (int i = 0; i < foldedChain!.Length; i++)
        {
            x = foldedChain[i].Forward(x);
            if (i < foldedChain.Length - 1) x = x.relu_();
        }
        var shortcut = foldedProjection is not null ? foldedProjection.Forward(input) : input;
        return x.add_(shortcut).relu_();
    }

    public override bool IsFused => foldedChain is not null;

    /// <summary>Folds every frozen batch norm into its convolution; a block with GroupNorm stays as it is.</summary>
    public override void Fuse()
    {
        Unfuse();
        var folded = chain.Select(p => FoldedConv.TryFold(p.Conv, p.Norm)).ToArray();
        var foldedShortcut = projection is var (conv, norm) ? FoldedConv.TryFold(conv, norm) : null;
        if (folded.Any(f => f is null) || (projection is not null && foldedShortcut is null))
        {
            foreach (var f in folded) f?.Dispose();
            foldedShortcut?.Dispose();
            return;
        }
        foldedChain = folded!;
        foldedProjection = foldedShortcut;
    }

    public override void Unfuse()
    {
        if (foldedChain is not null)
            foreach (var f in foldedChain) f.Dispose();
        foldedProjection?.Dispose();
        foldedChain = null;
        foldedProjection = null;
    }
}
