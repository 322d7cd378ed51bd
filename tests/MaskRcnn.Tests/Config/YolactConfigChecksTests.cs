using MaskRcnn.Config;

namespace MaskRcnn.Tests.Config;

/// <summary>Every MODEL.YOLACT key (and the backbone YOLACT stands on) is checked, with a one-line message naming the
/// file, the key and the value; a Mask R-CNN config is not affected by them.</summary>
public sealed class YolactConfigChecksTests
{
    const string File = "y.yaml";

    /// <summary>The defaults as YOLACT: valid as they are.</summary>
    static MaskRcnnConfig Yolact(params string[] overrides)
    {
        var cfg = new MaskRcnnConfig();
        cfg.Model.MetaArchitecture = "YOLACT";
        cfg.Model.Backbone.ConvBody = "R-50-FPN";
        ConfigLoader.ApplyOverrides(cfg, overrides);
        return cfg;
    }

    [Fact]
    public void TheDefaultsOnAnFpnBodyPass()
    {
        foreach (var body in YolactConfigChecks.ConvBodies)
            YolactConfigChecks.Check(Yolact("MODEL.BACKBONE.CONV_BODY", body), File);
        YolactConfigChecks.Check(Yolact("MODEL.YOLACT.USE_GN", "True"), File); // 256 channels in 32 groups
        YolactConfigChecks.Check(Yolact("MODEL.YOLACT.NEG_POS_RATIO", "0", "MODEL.YOLACT.SEMANTIC_LOSS_WEIGHT", "0",
            "MODEL.YOLACT.SCORE_THRESH", "0", "MODEL.YOLACT.NMS", "standard", "MODEL.YOLACT.ASPECT_RATIOS", "(1,)"), File);
    }

    [Theory]
    [InlineData("MODEL.YOLACT.NUM_CLASSES", "1", "MODEL.YOLACT.NUM_CLASSES must be at least 2 (the background and one class), got 1")]
    [InlineData("MODEL.YOLACT.ANCHOR_SCALES", "(24, 48, 96, 192)", "MODEL.YOLACT.ANCHOR_SCALES must be 5 positive sizes, one per level P3–P7, got [24.0, 48.0, 96.0, 192.0]")]
    [InlineData("MODEL.YOLACT.ANCHOR_SCALES", "(24, 48, 0, 192, 384)", "MODEL.YOLACT.ANCHOR_SCALES must be 5 positive sizes, one per level P3–P7, got [24.0, 48.0, 0.0, 192.0, 384.0]")]
    [InlineData("MODEL.YOLACT.ASPECT_RATIOS", "()", "MODEL.YOLACT.ASPECT_RATIOS must be one or more positive ratios, got []")]
    [InlineData("MODEL.YOLACT.ASPECT_RATIOS", "(1, -0.5)", "MODEL.YOLACT.ASPECT_RATIOS must be one or more positive ratios, got [1.0, -0.5]")]
    [InlineData("MODEL.YOLACT.FPN_CHANNELS", "0", "MODEL.YOLACT.FPN_CHANNELS must be positive, got 0")]
    [InlineData("MODEL.YOLACT.PROTO_CHANNELS", "-8", "MODEL.YOLACT.PROTO_CHANNELS must be positive, got -8")]
    [InlineData("MODEL.YOLACT.HEAD_CHANNELS", "0", "MODEL.YOLACT.HEAD_CHANNELS must be positive, got 0")]
    [InlineData("MODEL.YOLACT.NUM_PROTOTYPES", "0", "MODEL.YOLACT.NUM_PROTOTYPES must be positive, got 0")]
    [InlineData("MODEL.YOLACT.POSITIVE_IOU_THRESHOLD", "1.5", "MODEL.YOLACT.POSITIVE_IOU_THRESHOLD must be in (0, 1], got 1.5")]
    [InlineData("MODEL.YOLACT.NEGATIVE_IOU_THRESHOLD", "0", "MODEL.YOLACT.NEGATIVE_IOU_THRESHOLD must be in (0, 1], got 0.0")]
    [InlineData("MODEL.YOLACT.NEGATIVE_IOU_THRESHOLD", "0.6", "MODEL.YOLACT.NEGATIVE_IOU_THRESHOLD 0.6 is above MODEL.YOLACT.POSITIVE_IOU_THRESHOLD 0.5: an anchor cannot be both negative and positive")]
    [InlineData("MODEL.YOLACT.CROWD_IOU_THRESHOLD", "-0.1", "MODEL.YOLACT.CROWD_IOU_THRESHOLD must be in (0, 1], got -0.1")]
    [InlineData("MODEL.YOLACT.NEG_POS_RATIO", "-1", "MODEL.YOLACT.NEG_POS_RATIO must be 0 or more (negatives kept per positive), got -1")]
    [InlineData("MODEL.YOLACT.MASKS_TO_TRAIN", "0", "MODEL.YOLACT.MASKS_TO_TRAIN must be at least 1, got 0")]
    [InlineData("MODEL.YOLACT.BOX_LOSS_WEIGHT", "-1.5", "MODEL.YOLACT.BOX_LOSS_WEIGHT must be 0 or more, got -1.5")]
    [InlineData("MODEL.YOLACT.CLASS_LOSS_WEIGHT", "-1", "MODEL.YOLACT.CLASS_LOSS_WEIGHT must be 0 or more, got -1.0")]
    [InlineData("MODEL.YOLACT.MASK_LOSS_WEIGHT", "-6.125", "MODEL.YOLACT.MASK_LOSS_WEIGHT must be 0 or more, got -6.125")]
    [InlineData("MODEL.YOLACT.SEMANTIC_LOSS_WEIGHT", "-0.5", "MODEL.YOLACT.SEMANTIC_LOSS_WEIGHT must be 0 or more, got -0.5")]
    [InlineData("MODEL.YOLACT.NMS", "fats", "MODEL.YOLACT.NMS: unknown value 'fats' (did you mean 'fast'?)")]
    [InlineData("MODEL.YOLACT.NMS", "soft", "MODEL.YOLACT.NMS: unknown value 'soft'; expected one of fast, standard")]
    [InlineData("MODEL.YOLACT.NMS_TOP_K", "0", "MODEL.YOLACT.NMS_TOP_K must be at least 1, got 0")]
    [InlineData("MODEL.YOLACT.NMS_THRESH", "0", "MODEL.YOLACT.NMS_THRESH must be in (0, 1], got 0.0")]
    [InlineData("MODEL.YOLACT.SCORE_THRESH", "1", "MODEL.YOLACT.SCORE_THRESH must be in [0, 1), got 1.0")]
    [InlineData("MODEL.YOLACT.SCORE_THRESH", "-0.05", "MODEL.YOLACT.SCORE_THRESH must be in [0, 1), got -0.05")]
    [InlineData("MODEL.YOLACT.DETECTIONS_PER_IMG", "0", "MODEL.YOLACT.DETECTIONS_PER_IMG must be at least 1, got 0")]
    [InlineData("MODEL.BACKBONE.CONV_BODY", "R-50-FNP", "MODEL.BACKBONE.CONV_BODY: 'R-50-FNP' cannot carry YOLACT (did you mean 'R-50-FPN'?); expected one of R-18-FPN, R-34-FPN, R-50-FPN, R-101-FPN (YOLACT builds its own FPN on the ResNet's C3–C5)")]
    [InlineData("MODEL.BACKBONE.CONV_BODY", "R-50-C4", "MODEL.BACKBONE.CONV_BODY: 'R-50-C4' cannot carry YOLACT; expected one of R-18-FPN, R-34-FPN, R-50-FPN, R-101-FPN (YOLACT builds its own FPN on the ResNet's C3–C5)")]
    [InlineData("MODEL.BACKBONE.CONV_BODY", "VGG-16-C5", "MODEL.BACKBONE.CONV_BODY: 'VGG-16-C5' cannot carry YOLACT; expected one of R-18-FPN, R-34-FPN, R-50-FPN, R-101-FPN (YOLACT builds its own FPN on the ResNet's C3–C5)")]
    public void AValueOutOfRangeNamesItsKey(string key, string value, string message)
    {
        var e = Assert.Throws<ConfigException>(() => YolactConfigChecks.Check(Yolact(key, value), File));
        Assert.Equal($"{File}: {message}", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData("MODEL.YOLACT.FPN_CHANNELS", "100", new string[0], "MODEL.YOLACT.FPN_CHANNELS 100 with MODEL.YOLACT.USE_GN: MODEL.GROUP_NORM.NUM_GROUPS: 100 channels cannot be split into 32 groups")]
    [InlineData("MODEL.YOLACT.PROTO_CHANNELS", "96", new[] { "MODEL.GROUP_NORM.NUM_GROUPS", "64" }, "MODEL.YOLACT.PROTO_CHANNELS 96 with MODEL.YOLACT.USE_GN: MODEL.GROUP_NORM.NUM_GROUPS: 96 channels cannot be split into 64 groups")]
    [InlineData("MODEL.YOLACT.HEAD_CHANNELS", "40", new[] { "MODEL.GROUP_NORM.NUM_GROUPS", "-1", "MODEL.GROUP_NORM.DIM_PER_GP", "16" }, "MODEL.YOLACT.HEAD_CHANNELS 40 with MODEL.YOLACT.USE_GN: MODEL.GROUP_NORM.DIM_PER_GP: 40 channels are not divisible by 16")]
    public void GroupNormNeedsChannelsItCanSplit(string key, string channels, string[] groupNorm, string message)
    {
        // Without GroupNorm any positive width will do.
        YolactConfigChecks.Check(Yolact([key, channels, .. groupNorm]), File);
        var e = Assert.Throws<ConfigException>(() => YolactConfigChecks.Check(Yolact([key, channels, "MODEL.YOLACT.USE_GN", "True", .. groupNorm]), File));
        Assert.Equal($"{File}: {message}", e.Message);
    }

    [Fact]
    public void LoadingAYolactConfigRunsTheChecksAndIgnoresTheRcnnHeadsKeys()
    {
        string[] yolact = ["MODEL.META_ARCHITECTURE", "YOLACT", "MODEL.DEVICE", "cpu", "MODEL.BACKBONE.CONV_BODY", "R-18-FPN"];
        // Values the R-CNN checks refuse, and which mean nothing to YOLACT.
        var cfg = ConfigLoader.Load(null, [.. yolact, "MODEL.MASK_ON", "True", "MODEL.RPN_ONLY", "True", "MODEL.RPN.RPN_HEAD", "FBNet.rpn_head",
            "MODEL.ROI_BOX_HEAD.FEATURE_EXTRACTOR", "Nothing", "MODEL.ROI_MASK_HEAD.PREDICTOR", "MaskRCNNConv1x1Predictor"]);
        Assert.True(cfg.Model.IsYolact);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, [.. yolact, "MODEL.YOLACT.NMS", "Fast NMS"]));
        Assert.Equal("MODEL.YOLACT.NMS: unknown value 'Fast NMS'; expected one of fast, standard", e.Message);
        e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, [.. yolact, "MODEL.BACKBONE.CONV_BODY", "R-152-FPN"]));
        Assert.StartsWith("MODEL.BACKBONE.CONV_BODY: 'R-152-FPN' cannot carry YOLACT", e.Message);
    }

    [Fact]
    public void AMaskRcnnConfigIgnoresTheYolactNode()
    {
        var cfg = new MaskRcnnConfig();
        cfg.Model.Device = "cpu";
        ConfigLoader.ApplyOverrides(cfg, ["MODEL.YOLACT.NUM_CLASSES", "0", "MODEL.YOLACT.NMS", "bogus", "MODEL.YOLACT.ANCHOR_SCALES", "()"]);
        ConfigSupport.Check(cfg, File);
    }

    [Fact]
    public void ANegativeSquashSizeIsRefusedForAnyModel()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, ["MODEL.DEVICE", "cpu", "INPUT.SQUASH_SIZE", "-550"]));
        Assert.Equal("INPUT.SQUASH_SIZE must be 0 (off) or a positive size, got -550", e.Message);
        Assert.Equal(550, ConfigLoader.Load(null, ["MODEL.DEVICE", "cpu", "INPUT.SQUASH_SIZE", "550"]).Input.SquashSize);
    }
}
