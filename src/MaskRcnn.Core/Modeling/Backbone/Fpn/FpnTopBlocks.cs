using MaskRcnn.Config;

namespace MaskRcnn.Modeling.Backbone.Fpn;

/// <summary>
/// The blocks an FPN adds above its last level, by name. maskrcnn-benchmark has no key for them: each FPN body of
/// <see cref="BackboneFactory"/> names its own (its FPN bodies P6 by max-pooling, its RetinaNet bodies P6 and P7 by
/// convolutions, from C5 when <c>MODEL.RETINANET.USE_C5</c>, else from P5).
/// </summary>
public static class FpnTopBlocks
{
    public const string MaxPool = "LastLevelMaxPool", P6P7 = "LastLevelP6P7";

    /// <param name="c5Channels">channels of the body's last stage</param>
    /// <param name="outChannels">the FPN's width</param>
    public delegate FpnTopBlock Builder(MaskRcnnConfig cfg, int c5Channels, int outChannels);

    public static readonly Registry<Builder> Registry = new("FPN top block",
        (MaxPool, (_, _, _) => new LastLevelMaxPool()),
        (P6P7, (cfg, c5, outChannels) => new LastLevelP6P7(cfg.Model.RetinaNet.UseC5 ? c5 : outChannels, outChannels)));

    public static FpnTopBlock Build(string name, MaskRcnnConfig cfg, int c5Channels, int outChannels) =>
        Registry.Get(name)(cfg, c5Channels, outChannels);
}
