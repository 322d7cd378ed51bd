using MaskRcnn.Config;
using MaskRcnn.Layers;
using MaskRcnn.Modeling.Backbone;
using MaskRcnn.Modeling.MetaArch;
using MaskRcnn.Modeling.RoiHeads;
using MaskRcnn.Modeling.RoiHeads.Box;
using MaskRcnn.Modeling.RoiHeads.Mask;
using MaskRcnn.Modeling.Rpn;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling;

/// <summary>Builds the configured <see cref="GeneralizedRcnn"/>: every part picked by its config name, built from
/// plain options read here, in one place.</summary>
public static class ModelBuilder
{
    public static GeneralizedRcnn Build(MaskRcnnConfig cfg)
    {
        var model = cfg.Model;
        var convention = BoxConventions.Parse(model.BoxConvention);
        double? eps = model.Backbone.FrozenBnEps < 0 ? null : model.Backbone.FrozenBnEps;
        var backbone = BackboneFactory.Build(cfg, eps);
        var anchors = AnchorGenerator.From(model.Rpn, convention);
        if (anchors.Levels != backbone.Strides.Count)
            throw new ConfigException($"MODEL.RPN.ANCHOR_STRIDE has {anchors.Levels} level(s) but {model.Backbone.ConvBody} gives {backbone.Strides.Count} feature map(s) ({string.Join(", ", backbone.Strides)})");
        var rpn = new RegionProposalNetwork(backbone.OutChannels, anchors, RpnOptions.From(model.Rpn), convention);
        if (model.RpnOnly) return new GeneralizedRcnn(backbone, rpn, null);

        var options = RoiHeadsOptions.From(cfg);
        var boxHead = model.RoiBoxHead;
        int numClasses = boxHead.NumClasses;
        BoxFeatureExtractor boxExtractor = boxHead.FeatureExtractor switch
        {
            "FPN2MLPFeatureExtractor" => new Fpn2MlpFeatureExtractor(backbone.OutChannels, boxHead.PoolerResolution, boxHead.PoolerScales,
                boxHead.PoolerSamplingRatio, boxHead.MlpHeadDim),
            "ResNet50Conv5ROIFeatureExtractor" => C4Extractor(cfg, eps),
            var other => throw new ConfigNotSupportedException("MODEL.ROI_BOX_HEAD.FEATURE_EXTRACTOR", $"the {other} box head", null),
        };
        var predictor = new BoxPredictor(boxExtractor.OutChannels, numClasses, model.ClsAgnosticBboxReg,
            averagePoolFirst: boxHead.Predictor == "FastRCNNPredictor");
        var box = new BoxHead(boxExtractor, predictor, options, convention);
        if (!model.MaskOn) return new GeneralizedRcnn(backbone, rpn, new RoiHeads.RoiHeads(box, null, shareBoxFeatures: false));

        var maskHead = model.RoiMaskHead;
        bool share = maskHead.ShareBoxFeatureExtractor && boxExtractor is ResNetConv5FeatureExtractor;
        MaskFeatureExtractor? maskExtractor = null;
        int maskInChannels;
        if (share) maskInChannels = boxExtractor.OutChannels;
        else if (maskHead.FeatureExtractor == "MaskRCNNFPNFeatureExtractor")
        {
            maskExtractor = new MaskFeatureExtractor(backbone.OutChannels, maskHead.PoolerResolution, maskHead.PoolerScales, maskHead.PoolerSamplingRatio,
                maskHead.ConvLayers, maskHead.Dilation, maskHead.UseGn ? c => GroupNormFactory.From(cfg).Create(c) : null);
            maskInChannels = maskExtractor.OutChannels;
        }
        else throw new ConfigNotSupportedException("MODEL.ROI_MASK_HEAD.FEATURE_EXTRACTOR",
            $"a {maskHead.FeatureExtractor} mask head of its own (set SHARE_BOX_FEATURE_EXTRACTOR True for C4 models)", null);
        var maskPredictor = new MaskPredictor(maskInChannels, maskHead.ConvLayers[^1], numClasses);
        var mask = new MaskHead(maskExtractor, maskPredictor, maskHead.Resolution);
        return new GeneralizedRcnn(backbone, rpn, new RoiHeads.RoiHeads(box, mask, share));
    }

    static ResNetConv5FeatureExtractor C4Extractor(MaskRcnnConfig cfg, double? eps)
    {
        var head = eps is { } e ? ResNetHead.From(cfg, e) : ResNetHead.From(cfg);
        var b = cfg.Model.RoiBoxHead;
        return new ResNetConv5FeatureExtractor(head, head.OutChannels, b.PoolerResolution, b.PoolerScales[0], b.PoolerSamplingRatio);
    }
}
