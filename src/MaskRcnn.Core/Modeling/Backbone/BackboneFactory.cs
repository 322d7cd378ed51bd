using MaskRcnn.Config;
using MaskRcnn.Layers;
using MaskRcnn.Modeling.Backbone.Fpn;
using MaskRcnn.Modeling.Backbone.ResNet;
using MaskRcnn.Modeling.Backbone.Vgg;

namespace MaskRcnn.Modeling.Backbone;

/// <summary>
/// Builds the backbone named by MODEL.BACKBONE.CONV_BODY, as maskrcnn-benchmark's registry does, and freezes
/// MODEL.BACKBONE.FREEZE_CONV_BODY_AT stages. Bodies: R-50/101 -C4 (layer3, stride 16) and -C5 (layer4,
/// stride 32); R-50/101/152 -FPN; R-50/101 -FPN-RETINANET (P3–P7) and our R-18-FPN-RETINANET, and torchvision's R-18/34 with FPN (layers 1–4, P2–P6); VGG-16-C5.
/// </summary>
public static class BackboneFactory
{
    /// <param name="frozenBatchNormEps">eps of the frozen batch norms; null: 0 as maskrcnn-benchmark for its ResNets,
    /// 1e-5 for R-18/34, whose only weights are torchvision's.</param>
    public delegate BackboneNetwork Builder(MaskRcnnConfig cfg, double? frozenBatchNormEps);

    /// <summary>The bodies by MODEL.BACKBONE.CONV_BODY name.</summary>
    public static readonly Registry<Builder> Bodies = new("MODEL.BACKBONE.CONV_BODY",
        ("R-50-C4", (cfg, eps) => ResNet(cfg, ResNetLayout.R50, stageCount: 3, fpn: false, eps)),
        ("R-50-C5", (cfg, eps) => ResNet(cfg, ResNetLayout.R50, stageCount: 4, fpn: false, eps)),
        ("R-101-C4", (cfg, eps) => ResNet(cfg, ResNetLayout.R101, stageCount: 3, fpn: false, eps)),
        ("R-101-C5", (cfg, eps) => ResNet(cfg, ResNetLayout.R101, stageCount: 4, fpn: false, eps)),
        ("R-50-FPN", (cfg, eps) => ResNet(cfg, ResNetLayout.R50, stageCount: 4, fpn: true, eps)),
        ("R-101-FPN", (cfg, eps) => ResNet(cfg, ResNetLayout.R101, stageCount: 4, fpn: true, eps)),
        ("R-152-FPN", (cfg, eps) => ResNet(cfg, ResNetLayout.R152, stageCount: 4, fpn: true, eps)),
        ("R-50-FPN-RETINANET", (cfg, eps) => RetinaNetFpn(cfg, ResNetLayout.R50, eps)),
        ("R-101-FPN-RETINANET", (cfg, eps) => RetinaNetFpn(cfg, ResNetLayout.R101, eps)),
        ("R-18-FPN-RETINANET", (cfg, eps) => RetinaNetFpn(cfg, ResNetLayout.R18, eps ?? NormLayers.TorchvisionEps)),
        ("R-18-FPN", (cfg, eps) => ResNet(cfg, ResNetLayout.R18, stageCount: 4, fpn: true, eps ?? NormLayers.TorchvisionEps)),
        ("R-34-FPN", (cfg, eps) => ResNet(cfg, ResNetLayout.R34, stageCount: 4, fpn: true, eps ?? NormLayers.TorchvisionEps)),
        ("VGG-16-C5", (cfg, _) => Vgg16(cfg)));

    public static IReadOnlyList<string> Names => Bodies.Names;

    public static BackboneNetwork Build(MaskRcnnConfig cfg, double? frozenBatchNormEps = null) =>
        Bodies.Get(cfg.Model.Backbone.ConvBody)(cfg, frozenBatchNormEps);

    static BackboneNetwork ResNet(MaskRcnnConfig cfg, ResNetLayout layout, int stageCount, bool fpn, double? eps)
    {
        int[] returned = fpn ? [1, 2, 3, 4] : [stageCount];
        var body = ResNetBody(cfg, layout, stageCount, returned, eps ?? NormLayers.MaskRcnnBenchmarkEps);
        var outChannels = cfg.Model.ResNets.BackboneOutChannels;
        if (!fpn)
        {
            CheckOutChannels(cfg, body.OutChannels[^1]);
            return new BackboneNetwork(body, null);
        }
        var top = FpnTopBlocks.Build(FpnTopBlocks.MaxPool, cfg, body.OutChannels[^1], outChannels);
        var pyramid = new FeaturePyramidNetwork(body.OutChannels, outChannels, cfg.Model.Fpn.UseGn ? GroupNormFactory.From(cfg) : null, cfg.Model.Fpn.UseRelu, top);
        return new BackboneNetwork(body, pyramid);
    }

    /// <summary>maskrcnn-benchmark's ResNet-FPN for RetinaNet: C3–C5 into the pyramid (no P2), P6 and P7 by
    /// <see cref="LastLevelP6P7"/> (P6 from C5 when MODEL.RETINANET.USE_C5, else from P5).</summary>
    static BackboneNetwork RetinaNetFpn(MaskRcnnConfig cfg, ResNetLayout layout, double? eps)
    {
        var body = ResNetBody(cfg, layout, stageCount: 4, [1, 2, 3, 4], eps ?? NormLayers.MaskRcnnBenchmarkEps);
        var outChannels = cfg.Model.ResNets.BackboneOutChannels;
        var top = FpnTopBlocks.Build(FpnTopBlocks.P6P7, cfg, body.OutChannels[^1], outChannels);
        int[] inChannels = [0, .. body.OutChannels.Skip(1)];
        var pyramid = new FeaturePyramidNetwork(inChannels, outChannels, cfg.Model.Fpn.UseGn ? GroupNormFactory.From(cfg) : null, cfg.Model.Fpn.UseRelu, top);
        return new BackboneNetwork(body, pyramid);
    }

    /// <summary>The configured ResNet body (MODEL.RESNETS widths and norms, frozen batch norms of this eps), its first
    /// FREEZE_CONV_BODY_AT stages frozen; shared by every architecture built on a ResNet.</summary>
    public static ResNetBody ResNetBody(MaskRcnnConfig cfg, ResNetLayout layout, int stageCount, IReadOnlyList<int> returnedStages, double frozenBatchNormEps)
    {
        var widths = ResNetWidths.From(cfg);
        if (layout.Block == ResNetBlockKind.Basic && widths.NumGroups != 1)
            throw new ConfigException($"MODEL.RESNETS.NUM_GROUPS: {cfg.Model.Backbone.ConvBody} has BasicBlocks, which have no groups (got {widths.NumGroups})");
        var body = new ResNetBody(layout, widths, stageCount, returnedStages,
            NormLayers.ForStem(cfg, frozenBatchNormEps), NormLayers.ForBlocks(cfg, frozenBatchNormEps));
        Freeze(cfg, body);
        return body;
    }

    static BackboneNetwork Vgg16(MaskRcnnConfig cfg)
    {
        var body = new Vgg16Body();
        Freeze(cfg, body);
        CheckOutChannels(cfg, body.OutChannels[^1]);
        return new BackboneNetwork(body, null);
    }

    static void Freeze(MaskRcnnConfig cfg, BackboneBody body)
    {
        var freezeAt = cfg.Model.Backbone.FreezeConvBodyAt;
        if (freezeAt > body.FreezableStageCount)
            throw new ConfigException($"MODEL.BACKBONE.FREEZE_CONV_BODY_AT: {cfg.Model.Backbone.ConvBody} has {body.FreezableStageCount} stages, cannot freeze {freezeAt}");
        body.Freeze(freezeAt);
    }

    /// <summary>Without FPN the heads are built for BACKBONE_OUT_CHANNELS; maskrcnn-benchmark would fail later on a mismatch.</summary>
    static void CheckOutChannels(MaskRcnnConfig cfg, int actual)
    {
        if (cfg.Model.ResNets.BackboneOutChannels != actual)
            throw new ConfigException($"MODEL.RESNETS.BACKBONE_OUT_CHANNELS: {cfg.Model.Backbone.ConvBody} outputs {actual} channels, but the setting is {cfg.Model.ResNets.BackboneOutChannels}");
    }
}
