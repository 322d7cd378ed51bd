using MaskRcnn.Config;
using MaskRcnn.Layers;

namespace MaskRcnn.Modeling.Backbone;

/// <summary>
/// The two normalizations of maskrcnn-benchmark's ResNets: frozen batch norm (pretrained bodies) and
/// GroupNorm (bodies trained from scratch, whose norm parameters train).
/// </summary>
public static class NormLayers
{
    /// <summary>maskrcnn-benchmark's FrozenBatchNorm2d has no eps (0); torchvision's BatchNorm2d in eval has 1e-5.</summary>
    public const double MaskRcnnBenchmarkEps = 0;
    public const double TorchvisionEps = 1e-5;

    public static NormLayerFactory FrozenBatchNorm(double eps) => channels => new FrozenBatchNorm2d(channels, eps);

    public static NormLayerFactory GroupNorm(GroupNormFactory groupNorm) => channels => groupNorm.Create(channels);

    /// <summary>Makes the norm a ResNet part uses, given the eps of frozen batch norms.</summary>
    public delegate NormLayerFactory Builder(MaskRcnnConfig cfg, double frozenBatchNormEps);

    /// <summary>The norms of the residual blocks, by MODEL.RESNETS.TRANS_FUNC.</summary>
    public static readonly Registry<Builder> Blocks = new("MODEL.RESNETS.TRANS_FUNC",
        ("BottleneckWithFixedBatchNorm", (_, eps) => FrozenBatchNorm(eps)),
        ("BottleneckWithGN", (cfg, _) => GroupNorm(GroupNormFactory.From(cfg))));

    /// <summary>The norms of the stem, by MODEL.RESNETS.STEM_FUNC.</summary>
    public static readonly Registry<Builder> Stems = new("MODEL.RESNETS.STEM_FUNC",
        ("StemWithFixedBatchNorm", (_, eps) => FrozenBatchNorm(eps)),
        ("StemWithGN", (cfg, _) => GroupNorm(GroupNormFactory.From(cfg))));

    public static NormLayerFactory ForBlocks(MaskRcnnConfig cfg, double frozenBatchNormEps) =>
        Blocks.Get(cfg.Model.ResNets.TransFunc)(cfg, frozenBatchNormEps);

    public static NormLayerFactory ForStem(MaskRcnnConfig cfg, double frozenBatchNormEps) =>
        Stems.Get(cfg.Model.ResNets.StemFunc)(cfg, frozenBatchNormEps);
}
