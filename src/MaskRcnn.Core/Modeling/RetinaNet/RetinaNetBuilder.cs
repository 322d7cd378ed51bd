using MaskRcnn.Config;
using MaskRcnn.Modeling.Backbone;

namespace MaskRcnn.Modeling.RetinaNet;

/// <summary>Builds a configured <see cref="RetinaNetDetector"/> (MODEL.RETINANET_ON under GeneralizedRCNN).</summary>
public static class RetinaNetBuilder
{
    public static RetinaNetDetector Build(MaskRcnnConfig cfg)
    {
        var model = cfg.Model;
        var convention = BoxConventions.Parse(model.BoxConvention);
        double? eps = model.Backbone.FrozenBnEps < 0 ? null : model.Backbone.FrozenBnEps;
        var backbone = BackboneFactory.Build(cfg, eps);
        var anchors = RetinaNetAnchors.From(model.RetinaNet, convention);
        if (anchors.Levels != backbone.Strides.Count)
            throw new ConfigException($"MODEL.RETINANET.ANCHOR_STRIDES has {anchors.Levels} level(s) but {model.Backbone.ConvBody} gives {backbone.Strides.Count} feature map(s) ({string.Join(", ", backbone.Strides)})");
        var options = RetinaNetOptions.From(cfg);
        if (options.NumClasses < 2)
            throw new ConfigException($"MODEL.RETINANET.NUM_CLASSES must count background and at least one class, got {options.NumClasses}");
        var head = new RetinaNetHead(backbone.OutChannels, anchors.AnchorsPerLocation, options.NumClasses - 1, options.NumConvs, options.PriorProbability);
        return new RetinaNetDetector(backbone, new RetinaNetModule(head, anchors, options, convention), options.NumClasses);
    }
}
