using MaskRcnn.Config;
using MaskRcnn.Layers;
using MaskRcnn.Modeling.Backbone;
using MaskRcnn.Modeling.Backbone.ResNet;

namespace MaskRcnn.Modeling.RoiHeads.Box;

/// <summary>The box heads' feature extractors by MODEL.ROI_BOX_HEAD.FEATURE_EXTRACTOR name.</summary>
public static class BoxFeatureExtractors
{
    /// <param name="inChannels">channels of the backbone's feature maps</param>
    /// <param name="frozenBatchNormEps">as for <see cref="BackboneFactory.Build"/> (the C4 head is the ResNet's conv5)</param>
    public delegate BoxFeatureExtractor Builder(MaskRcnnConfig cfg, int inChannels, double? frozenBatchNormEps);

    public static readonly Registry<Builder> Registry = new("MODEL.ROI_BOX_HEAD.FEATURE_EXTRACTOR",
        ("ResNet50Conv5ROIFeatureExtractor", (cfg, _, eps) => ResNetConv5(cfg, eps)),
        ("FPN2MLPFeatureExtractor", (cfg, inChannels, _) => Fpn2Mlp(cfg, inChannels)),
        ("FPNXconv1fcFeatureExtractor", (cfg, inChannels, _) => FpnXconv1fc(cfg, inChannels)));

    static Fpn2MlpFeatureExtractor Fpn2Mlp(MaskRcnnConfig cfg, int inChannels)
    {
        var b = cfg.Model.RoiBoxHead;
        return new Fpn2MlpFeatureExtractor(inChannels, b.PoolerResolution, b.PoolerScales, b.PoolerSamplingRatio, b.MlpHeadDim,
            b.UseGn ? c => GroupNormFactory.From(cfg).CreateForFeatures(c) : null);
    }

    static FpnXconv1fcFeatureExtractor FpnXconv1fc(MaskRcnnConfig cfg, int inChannels)
    {
        var b = cfg.Model.RoiBoxHead;
        return new FpnXconv1fcFeatureExtractor(inChannels, b.PoolerResolution, b.PoolerScales, b.PoolerSamplingRatio, b.ConvHeadDim,
            b.NumStackedConvs, b.Dilation, b.MlpHeadDim, b.UseGn ? c => GroupNormFactory.From(cfg).Create(c) : null);
    }

    static ResNetConv5FeatureExtractor ResNetConv5(MaskRcnnConfig cfg, double? eps)
    {
        var head = eps is { } e ? ResNetHead.From(cfg, e) : ResNetHead.From(cfg);
        var b = cfg.Model.RoiBoxHead;
        return new ResNetConv5FeatureExtractor(head, head.OutChannels, b.PoolerResolution, b.PoolerScales[0], b.PoolerSamplingRatio);
    }
}
