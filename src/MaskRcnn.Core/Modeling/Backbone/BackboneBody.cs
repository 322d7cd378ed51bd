using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Backbone;

/// <summary>A convolutional body: image [N, 3, H, W] → feature maps, finest first, with their channels and strides.</summary>
public abstract class BackboneBody : nn.Module<Tensor, Tensor[]>
{
    protected BackboneBody(string name) : base(name) { }

    /// <summary>Layers are registered by hand under maskrcnn-benchmark's names; TorchSharp would also register
    /// every module-typed field under the field's name.</summary>
    protected override void RegisterComponents() { }

    public abstract IReadOnlyList<int> OutChannels { get; }

    /// <summary>Stride (input pixels per feature pixel) of each output.</summary>
    public abstract IReadOnlyList<int> Strides { get; }

    /// <summary>maskrcnn-benchmark's FREEZE_CONV_BODY_AT: the first <paramref name="freezeAt"/> stages stop training (0 or less: none).</summary>
    public abstract void Freeze(int freezeAt);

    /// <summary>The largest valid <see cref="Freeze"/> argument: every stage frozen.</summary>
    public abstract int FreezableStageCount { get; }

    protected static void FreezeParameters(nn.Module module)
    {
        foreach (var p in module.parameters()) p.requires_grad = false;
    }
}
