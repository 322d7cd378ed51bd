using MaskRcnn.Config;
using MaskRcnn.Modeling.Backbone;
using MaskRcnn.Modeling.RoiHeads;
using MaskRcnn.Modeling.RoiHeads.Box;
using MaskRcnn.Modeling.RoiHeads.Keypoint;
using MaskRcnn.Modeling.RoiHeads.Mask;
using MaskRcnn.Modeling.Rpn;

namespace MaskRcnn.Modeling.MetaArch;

/// <summary>Builds a configured <see cref="GeneralizedRcnn"/>: every part picked by its config name through its
/// registry, built from plain options read here, in one place.</summary>
public static class GeneralizedRcnnBuilder
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
        if (model.RpnOnly) return new GeneralizedRcnn(backbone, rpn, null, model.NumClasses);

        var boxExtractor = BoxFeatureExtractors.Registry.Get(model.RoiBoxHead.FeatureExtractor)(cfg, backbone.OutChannels, eps);
        var predictor = BoxPredictors.Registry.Get(model.RoiBoxHead.Predictor)(cfg, boxExtractor.OutChannels);
        var box = new BoxHead(boxExtractor, predictor, RoiHeadsOptions.From(cfg), convention);

        // Only a C4 box head's conv5 gives RoI feature maps another head can share; FPN heads pool their own.
        bool shareable = boxExtractor is ResNetConv5FeatureExtractor;
        MaskHead? mask = null;
        bool maskShares = model.MaskOn && model.RoiMaskHead.ShareBoxFeatureExtractor && shareable;
        if (model.MaskOn)
        {
            var maskHead = model.RoiMaskHead;
            var maskExtractor = maskShares ? null : MaskFeatureExtractors.Registry.Get(maskHead.FeatureExtractor)(cfg, backbone.OutChannels);
            var maskPredictor = MaskPredictors.Registry.Get(maskHead.Predictor)(cfg, maskExtractor?.OutChannels ?? boxExtractor.OutChannels);
            mask = new MaskHead(maskExtractor, maskPredictor, maskHead.Resolution);
        }
        KeypointHead? keypoint = null;
        bool keypointShares = model.KeypointOn && model.RoiKeypointHead.ShareBoxFeatureExtractor && shareable;
        if (model.KeypointOn)
        {
            var k = model.RoiKeypointHead;
            var keypointExtractor = keypointShares ? null : KeypointHeadParts.Extractors.Get(k.FeatureExtractor)(cfg, backbone.OutChannels);
            var keypointPredictor = KeypointHeadParts.Predictors.Get(k.Predictor)(cfg, keypointExtractor?.OutChannels ?? boxExtractor.OutChannels);
            keypoint = new KeypointHead(keypointExtractor, keypointPredictor, k.Resolution);
        }
        return new GeneralizedRcnn(backbone, rpn, new StandardRoiHeads(box, mask, maskShares, keypoint, keypointShares), model.NumClasses);
    }
}
