using MaskRcnn.Config;

namespace MaskRcnn.Tests.Config;

/// <summary>Every real maskrcnn-benchmark config loads, or names the feature we do not have yet.</summary>
public class ReferenceConfigTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(TestPaths.ReferenceConfigs, "*.yaml", SearchOption.AllDirectories).Order())
            data.Add(Path.GetRelativePath(TestPaths.ReferenceConfigs, f));
        return data;
    }

    // The features this tool does not build yet, and the files in the reference set that use them.
    static string? ExpectedUnsupportedKey(string relative)
    {
        var name = Path.GetFileName(relative);
        if (relative.StartsWith("retinanet")) return "MODEL.RETINANET_ON";
        if (name.Contains("keypoint")) return "MODEL.KEYPOINT_ON";
        if (relative.StartsWith("dcn")) return "MODEL.RESNETS.STAGE_WITH_DCN";
        if (relative.StartsWith("test_time_aug")) return "TEST.BBOX_AUG.ENABLED";
        if (name.Contains("fbnet")) return "MODEL.BACKBONE.CONV_BODY";
        if (name.Contains("Xconv1fc")) return "MODEL.ROI_BOX_HEAD.FEATURE_EXTRACTOR";
        return null;
    }

    [Fact]
    public void TheWholeReferenceSetIsThere() => Assert.Equal(66, Directory.GetFiles(TestPaths.ReferenceConfigs, "*.yaml", SearchOption.AllDirectories).Length);

    [Theory]
    [MemberData(nameof(Files))]
    public void LoadsOrSaysNotSupportedYet(string relative)
    {
        var path = Path.Combine(TestPaths.ReferenceConfigs, relative);
        var expected = ExpectedUnsupportedKey(relative);
        if (expected is null)
        {
            var cfg = ConfigLoader.Load(path, ["MODEL.DEVICE", "cpu"]);
            Assert.Equal("GeneralizedRCNN", cfg.Model.MetaArchitecture);
            // Round trip: what `maskrcnn config` prints loads back to the same config.
            var again = new MaskRcnnConfig();
            ConfigLoader.MergeYaml(again, ConfigWriter.ToYaml(cfg), "printed");
            Assert.Equal(ConfigWriter.ToYaml(cfg), ConfigWriter.ToYaml(again));
        }
        else
        {
            var e = Assert.Throws<ConfigNotSupportedException>(() => ConfigLoader.Load(path));
            Assert.Equal(expected, e.Key);
            Assert.Equal($"{path}: not supported yet: {expected}", e.Message.Split(" (")[0]);
        }
    }

    [Fact]
    public void FpnMaskConfigMergesAsInMaskrcnnBenchmark()
    {
        var cfg = ConfigLoader.Load(Path.Combine(TestPaths.ReferenceConfigs, "e2e_mask_rcnn_R_50_FPN_1x.yaml"));
        Assert.Equal("R-50-FPN", cfg.Model.Backbone.ConvBody);
        Assert.Equal(256, cfg.Model.ResNets.BackboneOutChannels);
        Assert.Equal([4, 8, 16, 32, 64], cfg.Model.Rpn.AnchorStride);
        Assert.Equal(1000, cfg.Model.Rpn.FpnPostNmsTopNTest);
        Assert.Equal(2000, cfg.Model.Rpn.FpnPostNmsTopNTrain); // default kept
        Assert.Equal(28, cfg.Model.RoiMaskHead.Resolution);
        Assert.False(cfg.Model.RoiMaskHead.ShareBoxFeatureExtractor);
        Assert.Equal(["coco_2014_train", "coco_2014_valminusminival"], cfg.Datasets.Train);
        Assert.Equal(32, cfg.DataLoader.SizeDivisibility);
        Assert.Equal(0.02, cfg.Solver.BaseLr);
        Assert.Equal([60000, 80000], cfg.Solver.Steps);
        Assert.Equal("cuda", cfg.Model.Device); // maskrcnn-benchmark's default
    }

    [Fact]
    public void GroupNormScratchConfig()
    {
        var cfg = ConfigLoader.Load(Path.Combine(TestPaths.ReferenceConfigs, "gn_baselines", "scratch_e2e_mask_rcnn_R_50_FPN_3x_gn.yaml"));
        Assert.Equal("BottleneckWithGN", cfg.Model.ResNets.TransFunc);
        Assert.Equal("StemWithGN", cfg.Model.ResNets.StemFunc);
        Assert.True(cfg.Model.Fpn.UseGn);
        Assert.Equal(0, cfg.Model.Backbone.FreezeConvBodyAt);
    }
}
