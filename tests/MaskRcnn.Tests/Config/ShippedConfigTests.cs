using MaskRcnn.Cli;
using MaskRcnn.Config;

namespace MaskRcnn.Tests.Config;

/// <summary>The configs this repository ships under configs/: each loads or names the feature it needs, and all of them
/// travel inside the tool, usable by name from any folder.</summary>
public class ShippedConfigTests
{
    public static TheoryData<string> Files() => new(FilesOnDisk());

    static IEnumerable<string> FilesOnDisk() => Directory.GetFiles(TestPaths.Configs, "*.yaml", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(TestPaths.Configs, f).Replace('\\', '/')).Order(StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Files))]
    public void LoadsOrSaysNotSupportedYet(string relative)
    {
        var path = Path.Combine(TestPaths.Configs, relative);
        if (ModelZooConfigTests.ExpectedUnsupportedKey(relative) is { } key)
            Assert.Equal(key, Assert.Throws<ConfigNotSupportedException>(() => ConfigLoader.Load(path)).Key);
        else
            ConfigLoader.Load(path);
    }

    [Fact]
    public void TheToolCarriesEveryConfigOfTheFolderUnchanged()
    {
        Assert.Equal(FilesOnDisk(), ShippedConfigs.Names);
        foreach (var name in ShippedConfigs.Names)
            Assert.Equal(File.ReadAllText(Path.Combine(TestPaths.Configs, name)), ShippedConfigs.ReadText(name));
    }

    [Theory]
    [InlineData("coco/mask_rcnn_R_50_FPN_1x")]
    [InlineData("coco/mask_rcnn_R_50_FPN_1x.yaml")]
    [InlineData("configs/coco/mask_rcnn_R_50_FPN_1x.yaml")]
    [InlineData("./coco/mask_rcnn_R_50_FPN_1x")]
    public void AShippedNameLoadsLikeItsFileBasesIncluded(string name)
    {
        var byName = ConfigLoader.Load(name);
        var byPath = ConfigLoader.Load(Path.Combine(TestPaths.Configs, "coco", "mask_rcnn_R_50_FPN_1x.yaml"));
        Assert.Equal(ConfigWriter.ToYaml(byPath), ConfigWriter.ToYaml(byName));
        Assert.Equal("R-50-FPN", byName.Model.Backbone.ConvBody); // from its _BASE_, also shipped
    }

    [Fact]
    public void AFileThatExistsWinsOverTheShippedNameAndMayStartFromAShippedBase()
    {
        // The test runs in its output folder; a file there under a shipped config's name is the user's own.
        const string name = "rpn_R_50_C4_1x.yaml";
        File.WriteAllText(name, "_BASE_: coco/Base-RCNN-FPN.yaml\nSOLVER:\n  MAX_ITER: 7\n");
        try
        {
            var cfg = ConfigLoader.Load(name);
            Assert.Equal(7, cfg.Solver.MaxIter);
            Assert.Equal("R-50-FPN", cfg.Model.Backbone.ConvBody); // the base: not beside the file, so the shipped one
            Assert.Equal(90000, ConfigLoader.Load("rpn_R_50_C4_1x").Solver.MaxIter); // no such file: the shipped config
        }
        finally { File.Delete(name); }
    }

    [Fact]
    public void AnUnknownNameListsTheNearestShippedNames()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load("coco/mask_rcnn_R50_FPN_1x"));
        Assert.Equal("config file not found: coco/mask_rcnn_R50_FPN_1x (not a file, nor a shipped config; nearest shipped: " +
                     "coco/mask_rcnn_R_50_FPN_1x, coco/faster_rcnn_R_50_FPN_1x, e2e_mask_rcnn_R_50_FPN_1x; 'maskrcnn config --list' shows them all)",
            e.Message);
    }

    [Fact]
    public void ConfigListShowsEveryShippedConfigWithWhatItIs()
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, MaskRcnnCommandLine.Run(["config", "--list"], stdout, stderr));
        var lines = stdout.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal($"{ShippedConfigs.Names.Count} shipped configs; pass a name to --config (a file path works too):", lines[0]);
        Assert.Equal(ShippedConfigs.Names.Count, lines.Length - 1);
        Assert.Contains(lines, l => l.StartsWith("  e2e_mask_rcnn_R_50_FPN_1x ") && l.EndsWith("  Mask R-CNN, R-50-FPN, 1x schedule, COCO 2014"));
        Assert.Contains(lines, l => l.StartsWith("  retinanet/retinanet_R-50-FPN_1x ") && l.EndsWith("  RetinaNet, R-50-FPN, 1x schedule, COCO 2014"));
        Assert.Contains(lines, l => l.StartsWith("  shapes/mask_rcnn_R_18_FPN_gn ") && l.Contains("built-in shapes dataset"));
        Assert.All(lines.Skip(1), l => Assert.Matches(@"^  \S+ +\S.*$", l));
    }

    [Fact]
    public void MaskConfigInheritsTheFpnBase()
    {
        var cfg = ConfigLoader.Load(Path.Combine(TestPaths.Configs, "coco", "mask_rcnn_R_50_FPN_1x.yaml"));
        Assert.True(cfg.Model.MaskOn);
        Assert.Equal("R-50-FPN", cfg.Model.Backbone.ConvBody);
        Assert.Equal("MaskRCNNFPNFeatureExtractor", cfg.Model.RoiMaskHead.FeatureExtractor);
        Assert.Equal(["coco_2017_train"], cfg.Datasets.Train);
    }
}
