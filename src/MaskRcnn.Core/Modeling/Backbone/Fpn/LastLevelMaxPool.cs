using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Backbone.Fpn;

/// <summary>P6 for the RPN: P5 subsampled by a 1×1 stride-2 max-pool (every other pixel).</summary>
public sealed class LastLevelMaxPool : FpnTopBlock
{
    public LastLevelMaxPool() : base(nameof(LastLevelMaxPool)) { }

    public override int LevelCount => 1;

    public override Tensor[] forward(Tensor c5, Tensor p5) => [nn.functional.max_pool2d(p5, 1, 2, 0)];
}
