namespace MaskRcnn.Config;

/// <summary>
/// Checks a merged config against what this tool builds. A maskrcnn-benchmark setting for a feature we
/// do not have yet fails with "not supported yet: KEY"; a name maskrcnn-benchmark does not know either
/// fails as a typo, with the closest valid name.
/// </summary>
public static class ConfigSupport
{
    /// <summary>A key whose value picks a component by name.</summary>
    sealed record Choice(string Key, Func<MaskRcnnConfig, string> Get, string[] Supported, Dictionary<string, string> Unsupported, Func<MaskRcnnConfig, bool>? AppliesWhen = null);

    static readonly Choice[] Choices =
    [
        new("MODEL.META_ARCHITECTURE", c => c.Model.MetaArchitecture, ["GeneralizedRCNN", "YOLACT"], []),
        // YOLACT's bodies are fewer: YolactConfigChecks.
        new("MODEL.BACKBONE.CONV_BODY", c => c.Model.Backbone.ConvBody,
            ["R-50-C4", "R-50-C5", "R-101-C4", "R-101-C5", "R-50-FPN", "R-101-FPN", "R-152-FPN", "R-18-FPN", "R-34-FPN", "VGG-16-C5",
             "R-50-FPN-RETINANET", "R-101-FPN-RETINANET", "R-18-FPN-RETINANET"],
            new() { ["FBNet"] = "FBNet backbones" }, IsRcnn),
        new("MODEL.RESNETS.TRANS_FUNC", c => c.Model.ResNets.TransFunc, ["BottleneckWithFixedBatchNorm", "BottleneckWithGN"], []),
        new("MODEL.RESNETS.STEM_FUNC", c => c.Model.ResNets.StemFunc, ["StemWithFixedBatchNorm", "StemWithGN"], []),
        new("MODEL.RPN.RPN_HEAD", c => c.Model.Rpn.RpnHead, ["SingleConvRPNHead"], new() { ["FBNet.rpn_head"] = "FBNet heads" }, IsRcnn),
        new("MODEL.ROI_BOX_HEAD.FEATURE_EXTRACTOR", c => c.Model.RoiBoxHead.FeatureExtractor,
            ["ResNet50Conv5ROIFeatureExtractor", "FPN2MLPFeatureExtractor", "FPNXconv1fcFeatureExtractor"],
            new() { ["FBNet.roi_head"] = "FBNet heads" }, c => IsRcnn(c) && !c.Model.RpnOnly),
        new("MODEL.ROI_BOX_HEAD.PREDICTOR", c => c.Model.RoiBoxHead.Predictor, ["FastRCNNPredictor", "FPNPredictor"], [], c => IsRcnn(c) && !c.Model.RpnOnly),
        new("MODEL.ROI_MASK_HEAD.FEATURE_EXTRACTOR", c => c.Model.RoiMaskHead.FeatureExtractor,
            ["ResNet50Conv5ROIFeatureExtractor", "MaskRCNNFPNFeatureExtractor"],
            new() { ["FBNet.roi_head_mask"] = "FBNet heads" }, c => IsRcnn(c) && c.Model.MaskOn),
        new("MODEL.ROI_MASK_HEAD.PREDICTOR", c => c.Model.RoiMaskHead.Predictor, ["MaskRCNNC4Predictor"],
            new() { ["MaskRCNNConv1x1Predictor"] = "the 1x1 mask predictor" }, c => IsRcnn(c) && c.Model.MaskOn),
        new("MODEL.ROI_KEYPOINT_HEAD.FEATURE_EXTRACTOR", c => c.Model.RoiKeypointHead.FeatureExtractor, ["KeypointRCNNFeatureExtractor"], [],
            c => IsRcnn(c) && c.Model.KeypointOn),
        new("MODEL.ROI_KEYPOINT_HEAD.PREDICTOR", c => c.Model.RoiKeypointHead.Predictor, ["KeypointRCNNPredictor"], [], c => IsRcnn(c) && c.Model.KeypointOn),
        new("MODEL.RETINANET.LOSS_NORMALIZATION", c => c.Model.RetinaNet.LossNormalization, ["maskrcnn-benchmark", "torchvision"], [], c => c.Model.RetinanetOn),
        new("MODEL.BOX_CONVENTION", c => c.Model.BoxConvention, ["maskrcnn-benchmark", "torchvision"], []),
        new("SOLVER.WARMUP_METHOD", c => c.Solver.WarmupMethod, ["constant", "linear"], []),
        new("SOLVER.LR_SCHEDULER", c => c.Solver.LrScheduler, ["WarmupMultiStepLR", "WarmupCosineLR"], []),
        new("DTYPE", c => c.Dtype, ["float32"], new() { ["float16"] = "float16 training" }),
    ];

    // The RPN and RoI heads (and their keys) belong to the R-CNN family; YOLACT has its own node, MODEL.YOLACT.
    static bool IsRcnn(MaskRcnnConfig c) => !c.Model.IsYolact;

    /// <summary>The values of <paramref name="key"/> this tool builds (the names its registry must hold).</summary>
    public static IReadOnlyList<string> SupportedValues(string key) =>
        Choices.FirstOrDefault(c => c.Key == key)?.Supported ?? throw new ArgumentException($"{key} picks no component", nameof(key));

    public static void Check(MaskRcnnConfig cfg, string? file)
    {
        // Whole features first: they explain every key that follows from them.
        if (cfg.Model.RetinanetOn && cfg.Model.IsYolact)
            throw new ConfigException($"{Prefix(file)}MODEL.RETINANET_ON: RetinaNet is built under MODEL.META_ARCHITECTURE GeneralizedRCNN, not YOLACT");
        if (cfg.Model.RetinanetOn && cfg.Model.MaskOn)
            throw new ConfigException($"{Prefix(file)}MODEL.MASK_ON: RetinaNet predicts boxes only (maskrcnn-benchmark silently ignores MASK_ON with RETINANET_ON)");
        if (cfg.Model.KeypointOn) CheckKeypointHead(cfg, file);
        if (cfg.Model.ResNets.StageWithDcn.Any(x => x) || cfg.Model.ResNets.WithModulatedDcn)
            throw new ConfigNotSupportedException("MODEL.RESNETS.STAGE_WITH_DCN", "deformable convolutions", file);
        // maskrcnn-benchmark's test-time augmentation pools the box head's candidates: R-CNN only.
        if (cfg.Test.BboxAug.Enabled && cfg.Model.IsYolact)
            throw new ConfigNotSupportedException("TEST.BBOX_AUG.ENABLED", "test-time augmentation of YOLACT (it is R-CNN's)", file);
        if (cfg.Test.BboxAug.Enabled && cfg.Model.RetinanetOn)
            throw new ConfigNotSupportedException("TEST.BBOX_AUG.ENABLED", "test-time augmentation of RetinaNet (it pools R-CNN's box-head candidates)", file);
        // maskrcnn-benchmark's bbox_aug merges boxes only; its keypoint head would run on the merged boxes unaugmented.
        if (cfg.Test.BboxAug.Enabled && cfg.Model.KeypointOn)
            throw new ConfigNotSupportedException("TEST.BBOX_AUG.ENABLED", "test-time augmentation of Keypoint R-CNN (MODEL.KEYPOINT_ON; it merges boxes only)", file);
        if (cfg.Test.BboxAug.Enabled && cfg.Input.SquashSize > 0)
            throw new ConfigNotSupportedException("TEST.BBOX_AUG.ENABLED", "test-time augmentation with INPUT.SQUASH_SIZE (its scales are short sides)", file);

        foreach (var choice in Choices)
        {
            if (choice.AppliesWhen is { } applies && !applies(cfg)) continue;
            var value = choice.Get(cfg);
            if (choice.Supported.Contains(value)) continue;
            if (choice.Unsupported.TryGetValue(value, out var feature))
                throw new ConfigNotSupportedException(choice.Key, $"{feature}: {value}", file);
            throw new ConfigException($"{Prefix(file)}{choice.Key}: unknown value '{value}'" +
                (DidYouMean.Closest(value, choice.Supported) is { } s ? $" (did you mean '{s}'?)" : $"; expected one of {string.Join(", ", choice.Supported)}"));
        }

        CheckDevice(cfg.Model.Device, file);
        if (IsRcnn(cfg) && !cfg.Model.RpnOnly && cfg.Model.RoiBoxHead.FeatureExtractor == "FPNXconv1fcFeatureExtractor") CheckXconvHead(cfg, file);
        if (cfg.Solver.Steps.Zip(cfg.Solver.Steps.Skip(1)).Any(p => p.First >= p.Second))
            throw new ConfigException($"{Prefix(file)}SOLVER.STEPS must be increasing, got {ConfigWriter.Format(cfg.Solver.Steps)}");
        if (cfg.Solver.ClipGradientsNorm < 0)
            throw new ConfigException($"{Prefix(file)}SOLVER.CLIP_GRADIENTS_NORM must be 0 (off) or positive, got {ConfigWriter.Format(cfg.Solver.ClipGradientsNorm)}");
        if (cfg.Input.PixelMean.Length != 3 || cfg.Input.PixelStd.Length != 3)
            throw new ConfigException($"{Prefix(file)}INPUT.PIXEL_MEAN and INPUT.PIXEL_STD need 3 values each");
        if (cfg.Input.SquashSize < 0)
            throw new ConfigException($"{Prefix(file)}INPUT.SQUASH_SIZE must be 0 (off) or a positive size, got {cfg.Input.SquashSize}");
        if (cfg.Model.IsYolact) YolactConfigChecks.Check(cfg, file);
    }

    static void CheckKeypointHead(MaskRcnnConfig cfg, string? file)
    {
        string why = cfg.Model.IsYolact ? "YOLACT has no RoI heads" : cfg.Model.RetinanetOn ? "RetinaNet has no RoI heads"
            : cfg.Model.RpnOnly ? "MODEL.RPN_ONLY builds no RoI heads" : "";
        if (why.Length > 0) throw new ConfigException($"{Prefix(file)}MODEL.KEYPOINT_ON: the keypoint head is an RoI head of R-CNN; {why}");
        var k = cfg.Model.RoiKeypointHead;
        if (k.NumClasses != Structures.Keypoints.PersonKeypoints.Names.Count)
            throw new ConfigException($"{Prefix(file)}MODEL.ROI_KEYPOINT_HEAD.NUM_CLASSES is {k.NumClasses}; keypoint targets are COCO's {Structures.Keypoints.PersonKeypoints.Names.Count} person keypoints");
        if (k.ConvLayers.Length == 0)
            throw new ConfigException($"{Prefix(file)}MODEL.ROI_KEYPOINT_HEAD.CONV_LAYERS is empty; the keypoint head needs at least one conv");
        // The predictor doubles twice (transposed conv, then ×2 upsampling): its heatmaps are 4 × the pooled size, and
        // the loss places targets on a RESOLUTION grid, so the two must agree (maskrcnn-benchmark does not check).
        bool shares = k.ShareBoxFeatureExtractor && cfg.Model.RoiBoxHead.FeatureExtractor == "ResNet50Conv5ROIFeatureExtractor";
        if (!shares && k.Resolution != 4 * k.PoolerResolution)
            throw new ConfigException($"{Prefix(file)}MODEL.ROI_KEYPOINT_HEAD.RESOLUTION is {k.Resolution} but the heatmaps are 4 × POOLER_RESOLUTION = {4 * k.PoolerResolution}; set RESOLUTION {4 * k.PoolerResolution}");
    }

    static void CheckXconvHead(MaskRcnnConfig cfg, string? file)
    {
        var b = cfg.Model.RoiBoxHead;
        if (b.NumStackedConvs < 0)
            throw new ConfigException($"{Prefix(file)}MODEL.ROI_BOX_HEAD.NUM_STACKED_CONVS must be 0 or more, got {b.NumStackedConvs}");
        if (b.Dilation < 1) throw new ConfigException($"{Prefix(file)}MODEL.ROI_BOX_HEAD.DILATION must be 1 or more, got {b.Dilation}");
        if (b.ConvHeadDim < 1) throw new ConfigException($"{Prefix(file)}MODEL.ROI_BOX_HEAD.CONV_HEAD_DIM must be 1 or more, got {b.ConvHeadDim}");
        if (b.UseGn && b.NumStackedConvs > 0)
        {
            var gn = cfg.Model.GroupNorm;
            try { GroupNormConfig.GroupCount(gn.DimPerGp, gn.NumGroups, b.ConvHeadDim); }
            catch (ConfigException e) { throw new ConfigException($"{Prefix(file)}MODEL.ROI_BOX_HEAD.CONV_HEAD_DIM {b.ConvHeadDim} with MODEL.ROI_BOX_HEAD.USE_GN: {e.Message}"); }
        }
    }

    static void CheckDevice(string device, string? file)
    {
        var ok = device is "cpu" or "cuda" || (device.StartsWith("cuda:") && int.TryParse(device[5..], out var n) && n >= 0);
        if (!ok) throw new ConfigException($"{Prefix(file)}MODEL.DEVICE: unknown device '{device}'; expected cpu, cuda or cuda:N");
    }

    static string Prefix(string? file) => file is null ? "" : file + ": ";
}
