using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Backbone.Fpn;

/// <summary>
/// RetinaNet's P6 and P7: 3×3 stride-2 convolutions <c>p6</c> (from C5, or from P5 when the input width equals
/// the FPN width, as maskrcnn-benchmark decides) and <c>p7</c> (from ReLU(P6)); kaiming_uniform(a = 1), zero bias.
/// </summary>
public sealed class LastLevelP6P7 : FpnTopBlock
{
    readonly Conv2d p6, p7;

    public LastLevelP6P7(int inChannels, int outChannels) : base(nameof(LastLevelP6P7))
    {
        p6 = ConvLayers.KaimingUniform(inChannels, outChannels, 3, 2, padding: 1, bias: true);
        p7 = ConvLayers.KaimingUniform(outChannels, outChannels, 3, 2, padding: 1, bias: true);
        register_module("p6", p6);
        register_module("p7", p7);
        UsesP5 = inChannels == outChannels;
    }

    /// <summary>Whether P6 is computed from P5 (else from C5).</summary>
    public bool UsesP5 { get; }

    public override int LevelCount => 2;

    public override Tensor[] forward(Tensor c5, Tensor p5)
    {
        var level6 = p6.call(UsesP5 ? p5 : c5);
        using var activated = nn.functional.relu(level6);
        return [level6, p7.call(activated)];
    }
}
