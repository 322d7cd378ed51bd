using MaskRcnn.Config;
using static MaskRcnn.Tests.Cli.CliRun;

namespace MaskRcnn.Tests.Config;

/// <summary>configs/yolact/: dbolya/yolact's yolact_base_config and yolact_resnet50_config in our keys. The expected
/// values are the reference's (data/config.py, train.py), written out here by hand.</summary>
public sealed class YolactShippedConfigTests
{
    static string PathOf(string name) => Path.Combine(TestPaths.Configs, "yolact", name);

    [Theory]
    [InlineData("yolact_base.yaml", "R-101-FPN")]
    [InlineData("yolact_resnet50.yaml", "R-50-FPN")]
    public void HoldTheReferencesValues(string name, string body)
    {
        var cfg = new MaskRcnnConfig();
        ConfigLoader.MergeFile(cfg, PathOf(name));
        var m = cfg.Model;
        Assert.True(m.IsYolact);
        Assert.Equal("", m.Weight);
        Assert.Equal(body, m.Backbone.ConvBody);
        Assert.Equal(0, m.Backbone.FreezeConvBodyAt);
        Assert.Equal(1e-5, m.Backbone.FrozenBnEps);
        Assert.False(m.ResNets.StrideIn1x1);

        var y = m.Yolact;
        Assert.Equal(81, y.NumClasses);
        Assert.Equal(81, m.NumClasses);
        Assert.Equal([24.0, 48, 96, 192, 384], y.AnchorScales);
        Assert.Equal([1.0, 0.5, 2.0], y.AspectRatios);
        Assert.True(y.SquareAnchors);
        Assert.Equal((256, 32, 256, 256), (y.FpnChannels, y.NumPrototypes, y.ProtoChannels, y.HeadChannels));
        Assert.False(y.UseGn);
        Assert.Equal((0.5, 0.4, 0.7), (y.PositiveIouThreshold, y.NegativeIouThreshold, y.CrowdIouThreshold));
        Assert.Equal((3, 100), (y.NegPosRatio, y.MasksToTrain));
        Assert.Equal((1.5, 1.0, 6.125, 1.0), (y.BoxLossWeight, y.ClassLossWeight, y.MaskLossWeight, y.SemanticLossWeight));
        Assert.Equal(("fast", 200, 0.5, 0.05, 100), (y.Nms, y.NmsTopK, y.NmsThresh, y.ScoreThresh, y.DetectionsPerImg));

        // The reference's MEANS and STD (BGR, 0-255), as RGB on 0-1 to the last bit.
        Assert.Equal(550, cfg.Input.SquashSize);
        Assert.False(cfg.Input.ToBgr255);
        Assert.Equal([123.68 / 255, 116.78 / 255, 103.94 / 255], cfg.Input.PixelMean);
        Assert.Equal([58.40 / 255, 57.12 / 255, 57.38 / 255], cfg.Input.PixelStd);
        Assert.Equal(0.5, cfg.Input.HorizontalFlipProbTrain);
        Assert.Equal(0, cfg.DataLoader.SizeDivisibility);
        Assert.Equal(["coco_2017_train"], cfg.Datasets.Train);
        Assert.Equal(["coco_2017_val"], cfg.Datasets.Test);

        var s = cfg.Solver;
        Assert.Equal((0.001, 1.0, 0.9, 0.0005, 0.0005, 0.1), (s.BaseLr, s.BiasLrFactor, s.Momentum, s.WeightDecay, s.WeightDecayBias, s.Gamma));
        Assert.Equal([280000, 600000, 700000, 750000], s.Steps);
        Assert.Equal((800000, 8, 10000), (s.MaxIter, s.ImsPerBatch, s.CheckpointPeriod));
        // Warm-up from the reference's lr_warmup_init 1e-4 to 1e-3 over 500 iterations, linearly.
        Assert.Equal(("linear", 500), (s.WarmupMethod, s.WarmupIters));
        Assert.Equal(1e-4, s.BaseLr * s.WarmupFactor, 12);

        YolactConfigChecks.Check(cfg, name);
    }

    [Theory]
    [InlineData("yolact/yolact_base", "YOLACT, R-101-FPN, 550x550")]
    [InlineData("yolact/yolact_resnet50", "YOLACT, R-50-FPN, 550x550")]
    public void LoadAsShippedConfigsAndSayWhatTheyAre(string name, string description)
    {
        var cfg = ConfigLoader.Load(name);
        Assert.Equal(ConfigWriter.ToYaml(ConfigLoader.Load(PathOf(name["yolact/".Length..] + ".yaml"))), ConfigWriter.ToYaml(cfg));
        Assert.StartsWith(description, ShippedConfigs.Describe(name + ".yaml"));
    }

    [Fact]
    public void TheConfigCommandPrintsThem()
    {
        var (code, output, err) = Run("config", "--config", "yolact/yolact_base");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        output = output.ReplaceLineEndings("\n");
        Assert.Contains("\n  META_ARCHITECTURE: YOLACT\n", output);
        Assert.Contains("\n    CONV_BODY: R-101-FPN\n", output);
        Assert.Contains("\n    ANCHOR_SCALES: [24.0, 48.0, 96.0, 192.0, 384.0]\n    ASPECT_RATIOS: [1.0, 0.5, 2.0]\n    SQUARE_ANCHORS: True\n", output);
        Assert.Contains("\n  SQUASH_SIZE: 550\n", output);
        Assert.Contains("\n  PIXEL_MEAN: [0.4850196078431373, 0.4579607843137255, 0.4076078431372549]\n", output);
        Assert.Contains("\n  STEPS: [280000, 600000, 700000, 750000]\n", output);
    }
}
