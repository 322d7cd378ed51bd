using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Backbone.Fpn;

/// <summary>Extra coarser FPN levels after the last one, computed from the last body output (C5) and/or P5.</summary>
public abstract class FpnTopBlock : nn.Module<Tensor, Tensor, Tensor[]>
{
    protected FpnTopBlock(string name) : base(name) { }

    /// <summary>Layers are registered by hand under maskrcnn-benchmark's names; TorchSharp would also register
    /// every module-typed field under the field's name.</summary>
    protected override void RegisterComponents() { }

    /// <summary>How many levels it adds; each halves the previous one.</summary>
    public abstract int LevelCount { get; }
}
