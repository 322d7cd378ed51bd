using MaskRcnn.Config;
using MaskRcnn.Layers;
using MaskRcnn.Modeling.Backbone;
using MaskRcnn.Modeling.Backbone.ResNet;
using TorchSharp;

namespace MaskRcnn.Modeling.Yolact;

/// <summary>Builds a configured <see cref="YolactModel"/> from MODEL.YOLACT, MODEL.BACKBONE and MODEL.RESNETS.</summary>
public static class YolactBuilder
{
    /// <summary>The ResNet bodies YOLACT builds on (its own FPN goes on C3–C5), by MODEL.BACKBONE.CONV_BODY.</summary>
    public static readonly IReadOnlyDictionary<string, ResNetLayout> Bodies = new Dictionary<string, ResNetLayout>
    {
        ["R-18-FPN"] = ResNetLayout.R18,
        ["R-34-FPN"] = ResNetLayout.R34,
        ["R-50-FPN"] = ResNetLayout.R50,
        ["R-101-FPN"] = ResNetLayout.R101,
    };

    public static YolactModel Build(MaskRcnnConfig cfg)
    {
        var model = cfg.Model;
        var y = model.Yolact;
        if (!Bodies.TryGetValue(model.Backbone.ConvBody, out var layout))
            throw new ConfigException($"MODEL.BACKBONE.CONV_BODY: YOLACT builds on {string.Join(", ", Bodies.Keys)}, not '{model.Backbone.ConvBody}'");
        // The reference's ResNets have torchvision's BatchNorm2d (eps 1e-5), frozen here.
        double eps = model.Backbone.FrozenBnEps < 0 ? NormLayers.TorchvisionEps : model.Backbone.FrozenBnEps;
        var body = BackboneFactory.ResNetBody(cfg, layout, stageCount: 4, returnedStages: [2, 3, 4], eps);

        var groupNorm = y.UseGn ? GroupNormFactory.From(cfg) : null;
        var fpn = new YolactFpn(body.OutChannels, y.FpnChannels, groupNorm);
        var anchors = new YolactAnchors(y.AnchorScales, y.AspectRatios, y.SquareAnchors);
        var protoNet = new ProtoNet(y.FpnChannels, y.ProtoChannels, y.NumPrototypes, groupNorm);
        var head = new YolactHead(y.FpnChannels, y.HeadChannels, anchors.PerCell, y.NumClasses, y.NumPrototypes, groupNorm);
        var semantic = y.SemanticLossWeight > 0 ? YolactConv.Create(y.FpnChannels, y.NumClasses - 1, 1) : null;
        return new YolactModel(new YolactBackbone(body, fpn), protoNet, head, semantic, anchors,
            new YolactLoss(YolactLossOptions.From(y)), new YolactPostProcessor(YolactInferenceOptions.From(y)), y.NumClasses);
    }
}
