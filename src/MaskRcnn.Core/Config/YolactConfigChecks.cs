namespace MaskRcnn.Config;

/// <summary>
/// The checks of a YOLACT config (<c>MODEL.META_ARCHITECTURE: YOLACT</c>): every MODEL.YOLACT key in its range, and the
/// backbone one that YOLACT builds on. A bad value fails here, with its key, rather than as a shape error deep in the
/// model. The Mask R-CNN heads' keys (MODEL.RPN, ROI_*, MASK_ON) mean nothing to YOLACT and are not looked at.
/// </summary>
public static class YolactConfigChecks
{
    const string Node = "MODEL.YOLACT.";

    /// <summary>The bodies YOLACT can stand on: a ResNet giving C3–C5, on which it builds its own FPN (P3–P7).</summary>
    public static readonly IReadOnlyList<string> ConvBodies = ["R-18-FPN", "R-34-FPN", "R-50-FPN", "R-101-FPN"];

    public static readonly IReadOnlyList<string> NmsKinds = ["fast", "standard"];

    /// <summary>Anchor scales: one per pyramid level P3..P7.</summary>
    public const int Levels = 5;

    public static void Check(MaskRcnnConfig cfg, string? file)
    {
        var y = cfg.Model.Yolact;
        var body = cfg.Model.Backbone.ConvBody;
        if (!ConvBodies.Contains(body))
            Fail(file, $"MODEL.BACKBONE.CONV_BODY: '{body}' cannot carry YOLACT" +
                       (DidYouMean.Closest(body, ConvBodies) is { } s ? $" (did you mean '{s}'?)" : "") +
                       $"; expected one of {string.Join(", ", ConvBodies)} (YOLACT builds its own FPN on the ResNet's C3–C5)");

        if (y.NumClasses < 2) Fail(file, Node + "NUM_CLASSES", y.NumClasses, "must be at least 2 (the background and one class)");
        if (y.AnchorScales.Length != Levels || y.AnchorScales.Any(v => !(v > 0)))
            Fail(file, Node + "ANCHOR_SCALES", y.AnchorScales, $"must be {Levels} positive sizes, one per level P3–P7");
        if (y.AspectRatios.Length == 0 || y.AspectRatios.Any(v => !(v > 0)))
            Fail(file, Node + "ASPECT_RATIOS", y.AspectRatios, "must be one or more positive ratios");
        Positive(file, "FPN_CHANNELS", y.FpnChannels);
        Positive(file, "PROTO_CHANNELS", y.ProtoChannels);
        Positive(file, "HEAD_CHANNELS", y.HeadChannels);
        Positive(file, "NUM_PROTOTYPES", y.NumPrototypes);
        if (y.UseGn)
        {
            // The FPN, the ProtoNet's 3×3 convolutions and the head's upfeature convolution get a GroupNorm each.
            GroupNormFits(cfg, file, "FPN_CHANNELS", y.FpnChannels);
            GroupNormFits(cfg, file, "PROTO_CHANNELS", y.ProtoChannels);
            GroupNormFits(cfg, file, "HEAD_CHANNELS", y.HeadChannels);
        }

        Fraction(file, "POSITIVE_IOU_THRESHOLD", y.PositiveIouThreshold);
        Fraction(file, "NEGATIVE_IOU_THRESHOLD", y.NegativeIouThreshold);
        if (y.NegativeIouThreshold > y.PositiveIouThreshold)
            Fail(file, $"{Node}NEGATIVE_IOU_THRESHOLD {ConfigWriter.Format(y.NegativeIouThreshold)} is above {Node}POSITIVE_IOU_THRESHOLD " +
                       $"{ConfigWriter.Format(y.PositiveIouThreshold)}: an anchor cannot be both negative and positive");
        Fraction(file, "CROWD_IOU_THRESHOLD", y.CrowdIouThreshold);
        if (y.NegPosRatio < 0) Fail(file, Node + "NEG_POS_RATIO", y.NegPosRatio, "must be 0 or more (negatives kept per positive)");
        if (y.MasksToTrain < 1) Fail(file, Node + "MASKS_TO_TRAIN", y.MasksToTrain, "must be at least 1");
        NotNegative(file, "BOX_LOSS_WEIGHT", y.BoxLossWeight);
        NotNegative(file, "CLASS_LOSS_WEIGHT", y.ClassLossWeight);
        NotNegative(file, "MASK_LOSS_WEIGHT", y.MaskLossWeight);
        NotNegative(file, "SEMANTIC_LOSS_WEIGHT", y.SemanticLossWeight);

        if (!NmsKinds.Contains(y.Nms))
            Fail(file, $"{Node}NMS: unknown value '{y.Nms}'" +
                       (DidYouMean.Closest(y.Nms, NmsKinds) is { } s ? $" (did you mean '{s}'?)" : $"; expected one of {string.Join(", ", NmsKinds)}"));
        if (y.NmsTopK < 1) Fail(file, Node + "NMS_TOP_K", y.NmsTopK, "must be at least 1");
        Fraction(file, "NMS_THRESH", y.NmsThresh);
        if (!(y.ScoreThresh >= 0 && y.ScoreThresh < 1)) Fail(file, Node + "SCORE_THRESH", y.ScoreThresh, "must be in [0, 1)");
        if (y.DetectionsPerImg < 1) Fail(file, Node + "DETECTIONS_PER_IMG", y.DetectionsPerImg, "must be at least 1");
    }

    static void Positive(string? file, string key, int value)
    {
        if (value <= 0) Fail(file, Node + key, value, "must be positive");
    }

    static void NotNegative(string? file, string key, double value)
    {
        if (!(value >= 0)) Fail(file, Node + key, value, "must be 0 or more");
    }

    // An IoU threshold: 0 would make every pair overlap enough, above 1 none ever can.
    static void Fraction(string? file, string key, double value)
    {
        if (!(value > 0 && value <= 1)) Fail(file, Node + key, value, "must be in (0, 1]");
    }

    static void GroupNormFits(MaskRcnnConfig cfg, string? file, string key, int channels)
    {
        var gn = cfg.Model.GroupNorm;
        try { GroupNormConfig.GroupCount(gn.DimPerGp, gn.NumGroups, channels); }
        catch (ConfigException e) { Fail(file, $"{Node}{key} {channels} with {Node}USE_GN: {e.Message}"); }
    }

    static void Fail(string? file, string key, object value, string rule) =>
        Fail(file, $"{key} {rule}, got {ConfigWriter.Format(value)}");

    static void Fail(string? file, string message) => throw new ConfigException((file is null ? "" : file + ": ") + message);
}
