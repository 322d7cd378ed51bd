using MaskRcnn.Config;

namespace MaskRcnn.Modeling.Backbone.ResNet;

/// <summary>
/// MODEL.RESNETS' shape settings, shared by the body and the C4 box head. Stage i (1-based) of a bottleneck
/// ResNet has NumGroups·WidthPerGroup·2^(i−1) bottleneck channels and Res2OutChannels·2^(i−1) outputs; a
/// BasicBlock ResNet (torchvision's R-18/34: no groups, expansion 1) has WidthPerGroup·2^(i−1) throughout.
/// </summary>
public sealed record ResNetWidths(
    int StemOutChannels = 64,
    int Res2OutChannels = 256,
    int NumGroups = 1,
    int WidthPerGroup = 64,
    bool StrideIn1x1 = true)
{
    public static ResNetWidths From(MaskRcnnConfig cfg)
    {
        var r = cfg.Model.ResNets;
        return new(r.StemOutChannels, r.Res2OutChannels, r.NumGroups, r.WidthPerGroup, r.StrideIn1x1);
    }

    /// <summary>Output channels of stage <paramref name="stage"/> (1 = layer1).</summary>
    public int StageOutChannels(ResNetBlockKind block, int stage) =>
        (block == ResNetBlockKind.Basic ? WidthPerGroup : Res2OutChannels) << (stage - 1);

    public int StageBottleneckChannels(int stage) => NumGroups * WidthPerGroup << (stage - 1);
}
