using MaskRcnn.Config;
using MaskRcnn.Layers;

namespace MaskRcnn.Modeling.RoiHeads.Mask;

/// <summary>The mask heads' own feature extractors by MODEL.ROI_MASK_HEAD.FEATURE_EXTRACTOR name (a C4 mask head that
/// shares the box head's conv5, SHARE_BOX_FEATURE_EXTRACTOR, has none and never looks here).</summary>
public static class MaskFeatureExtractors
{
    /// <param name="inChannels">channels of the backbone's feature maps</param>
    public delegate MaskFeatureExtractor Builder(MaskRcnnConfig cfg, int inChannels);

    public static readonly Registry<Builder> Registry = new("MODEL.ROI_MASK_HEAD.FEATURE_EXTRACTOR",
        ("MaskRCNNFPNFeatureExtractor", MaskRcnnFpn),
        // maskrcnn-benchmark's C4 configs all share the box head's conv5; a conv5 of the mask head's own is not built.
        ("ResNet50Conv5ROIFeatureExtractor", (_, _) => throw new ConfigNotSupportedException("MODEL.ROI_MASK_HEAD.FEATURE_EXTRACTOR",
            "a ResNet50Conv5ROIFeatureExtractor mask head of its own (set SHARE_BOX_FEATURE_EXTRACTOR True for C4 models)", null)));

    static MaskFeatureExtractor MaskRcnnFpn(MaskRcnnConfig cfg, int inChannels)
    {
        var m = cfg.Model.RoiMaskHead;
        return new MaskFeatureExtractor(inChannels, m.PoolerResolution, m.PoolerScales, m.PoolerSamplingRatio, m.ConvLayers, m.Dilation,
            m.UseGn ? c => GroupNormFactory.From(cfg).Create(c) : null);
    }
}
