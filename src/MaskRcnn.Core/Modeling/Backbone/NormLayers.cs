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

    /// <summary>The norm of MODEL.RESNETS.TRANS_FUNC (BottleneckWithFixedBatchNorm, BottleneckWithGN).</summary>
    public static NormLayerFactory ForBlocks(MaskRcnnConfig cfg, double frozenBatchNormEps) =>
        cfg.Model.ResNets.TransFunc switch
        {
            "BottleneckWithFixedBatchNorm" => FrozenBatchNorm(frozenBatchNormEps),
            "BottleneckWithGN" => GroupNorm(GroupNormFactory.From(cfg)),
            var other => throw new ConfigException($"MODEL.RESNETS.TRANS_FUNC: unknown value '{other}'; expected BottleneckWithFixedBatchNorm or BottleneckWithGN"),
        };

    /// <summary>The norm of MODEL.RESNETS.STEM_FUNC (StemWithFixedBatchNorm, StemWithGN).</summary>
    public static NormLayerFactory ForStem(MaskRcnnConfig cfg, double frozenBatchNormEps) =>
        cfg.Model.ResNets.StemFunc switch
        {
            "StemWithFixedBatchNorm" => FrozenBatchNorm(frozenBatchNormEps),
            "StemWithGN" => GroupNorm(GroupNormFactory.From(cfg)),
            var other => throw new ConfigException($"MODEL.RESNETS.STEM_FUNC: unknown value '{other}'; expected StemWithFixedBatchNorm or StemWithGN"),
        };
}
