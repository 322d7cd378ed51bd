using MaskRcnn.Config;

namespace MaskRcnn.Tests.Config;

public class ConfigLoaderTests
{
    static MaskRcnnConfig FromYaml(string yaml)
    {
        var cfg = new MaskRcnnConfig();
        ConfigLoader.MergeYaml(cfg, yaml, "test.yaml");
        return cfg;
    }

    [Fact]
    public void YamlValuesInPythonLiteralForm()
    {
        var cfg = FromYaml("""
            MODEL:
              MASK_ON: True
              RPN:
                ANCHOR_STRIDE: (4, 8, 16, 32, 64)
                USE_FPN: true
              ROI_BOX_HEAD:
                POOLER_SCALES: (0.25, 0.125, 0.0625, 0.03125)
            INPUT:
              MIN_SIZE_TRAIN: (800,)
              PIXEL_MEAN: [103.53, 116.28, 123.675]
            DATASETS:
              TRAIN: ("coco_2014_train", "coco_2014_valminusminival")
              TEST: [coco_2014_minival]
            SOLVER:
              BASE_LR: 1e-4
              WEIGHT_DECAY: 0.0001
              STEPS: (60000, 80000)
            """);
        Assert.True(cfg.Model.MaskOn);
        Assert.True(cfg.Model.Rpn.UseFpn);
        Assert.Equal([4, 8, 16, 32, 64], cfg.Model.Rpn.AnchorStride);
        Assert.Equal([0.25, 0.125, 0.0625, 0.03125], cfg.Model.RoiBoxHead.PoolerScales);
        Assert.Equal([800], cfg.Input.MinSizeTrain);
        Assert.Equal([103.53, 116.28, 123.675], cfg.Input.PixelMean);
        Assert.Equal(["coco_2014_train", "coco_2014_valminusminival"], cfg.Datasets.Train);
        Assert.Equal(["coco_2014_minival"], cfg.Datasets.Test);
        Assert.Equal(1e-4, cfg.Solver.BaseLr);
        Assert.Equal(1e-4, cfg.Solver.WeightDecay);
        Assert.Equal([60000, 80000], cfg.Solver.Steps);
        Assert.Equal(2.0, cfg.Solver.BiasLrFactor); // untouched default
    }

    [Fact]
    public void IntWhereFloatAndScalarWhereTupleAreAccepted()
    {
        var cfg = FromYaml("SOLVER:\n  BASE_LR: 1\nINPUT:\n  MIN_SIZE_TRAIN: 600\n");
        Assert.Equal(1.0, cfg.Solver.BaseLr);
        Assert.Equal([600], cfg.Input.MinSizeTrain);
    }

    [Theory]
    [InlineData("SOLVER:\n  MAX_ITER: 2.5\n", "test.yaml: SOLVER.MAX_ITER expects int, got float 2.5")]
    [InlineData("SOLVER:\n  MAX_ITER: abc\n", "test.yaml: SOLVER.MAX_ITER expects int, got str 'abc'")]
    [InlineData("MODEL:\n  MASK_ON: 1\n", "test.yaml: MODEL.MASK_ON expects bool, got int 1")]
    [InlineData("SOLVER:\n  BASE_LR: fast\n", "test.yaml: SOLVER.BASE_LR expects float, got str 'fast'")]
    [InlineData("SOLVER:\n  STEPS: (1000, 2.5)\n", "test.yaml: SOLVER.STEPS expects tuple of int, got tuple (1000, 2.5)")]
    [InlineData("MODEL:\n  DEVICE: [1, 2]\n", "test.yaml: MODEL.DEVICE expects str, got list [1, 2]")]
    [InlineData("MODEL:\n  RPN: 3\n", "test.yaml: MODEL.RPN is a section; give its keys below it")]
    [InlineData("MODEL:\n  MASK_ON:\n    X: 1\n", "test.yaml: MODEL.MASK_ON is a value, not a section")]
    public void TypeErrorsNameKeyExpectedAndGiven(string yaml, string message)
    {
        var e = Assert.Throws<ConfigException>(() => FromYaml(yaml));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void UnknownNestedKeyNamesFullKeyFileAndSuggestion()
    {
        var e = Assert.Throws<ConfigException>(() => FromYaml("MODEL:\n  RPN:\n    NMS_THRESHH: 0.5\n"));
        Assert.Equal("test.yaml: unknown config key MODEL.RPN.NMS_THRESHH (did you mean MODEL.RPN.NMS_THRESH?)", e.Message);
    }

    [Fact]
    public void UnknownSectionIsReportedAtTheSection()
    {
        var e = Assert.Throws<ConfigException>(() => FromYaml("MODLE:\n  MASK_ON: True\n"));
        Assert.Equal("test.yaml: unknown config key MODLE (did you mean MODEL?)", e.Message);
    }

    [Fact]
    public void NoSuggestionWhenNothingIsClose()
    {
        var e = Assert.Throws<ConfigException>(() => FromYaml("SOLVER:\n  COMPLETELY_DIFFERENT_THING: 1\n"));
        Assert.Equal("test.yaml: unknown config key SOLVER.COMPLETELY_DIFFERENT_THING", e.Message);
    }

    [Fact]
    public void InvalidYamlNamesFileAndLine()
    {
        var e = Assert.Throws<ConfigException>(() => FromYaml("MODEL:\n  MASK_ON: [1, 2\n"));
        Assert.StartsWith("test.yaml: invalid YAML at line", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void OverridesApplyLikeMaskrcnnBenchmarkOpts()
    {
        var cfg = new MaskRcnnConfig();
        ConfigLoader.ApplyOverrides(cfg, ["SOLVER.BASE_LR", "0.01", "MODEL.DEVICE", "cpu", "INPUT.MIN_SIZE_TRAIN", "(640, 672)",
            "DATASETS.TRAIN", "(\"a\", \"b\")", "MODEL.MASK_ON", "True", "MODEL.GROUP_NORM.DIM_PER_GP", "-1", "OUTPUT_DIR", "runs/x"]);
        Assert.Equal(0.01, cfg.Solver.BaseLr);
        Assert.Equal("cpu", cfg.Model.Device);
        Assert.Equal([640, 672], cfg.Input.MinSizeTrain);
        Assert.Equal(["a", "b"], cfg.Datasets.Train);
        Assert.True(cfg.Model.MaskOn);
        Assert.Equal(-1, cfg.Model.GroupNorm.DimPerGp);
        Assert.Equal("runs/x", cfg.OutputDir);
    }

    [Fact]
    public void OverrideErrors()
    {
        var cfg = new MaskRcnnConfig();
        Assert.Equal("command line: unknown config key SOLVER.BASE_LRR (did you mean SOLVER.BASE_LR?)",
            Assert.Throws<ConfigException>(() => ConfigLoader.ApplyOverrides(cfg, ["SOLVER.BASE_LRR", "0.01"])).Message);
        Assert.Equal("command line: overrides come as KEY VALUE pairs; SOLVER.MAX_ITER has no value",
            Assert.Throws<ConfigException>(() => ConfigLoader.ApplyOverrides(cfg, ["SOLVER.BASE_LR", "0.01", "SOLVER.MAX_ITER"])).Message);
        Assert.Equal("command line: SOLVER is a section; name one of its keys",
            Assert.Throws<ConfigException>(() => ConfigLoader.ApplyOverrides(cfg, ["SOLVER", "1"])).Message);
        Assert.Equal("command line: unknown config key MODEL.MASK_ON.X",
            Assert.Throws<ConfigException>(() => ConfigLoader.ApplyOverrides(cfg, ["MODEL.MASK_ON.X", "1"])).Message.Split(" (")[0]);
        Assert.Equal("command line: SOLVER.MAX_ITER expects int, got float 1.5",
            Assert.Throws<ConfigException>(() => ConfigLoader.ApplyOverrides(cfg, ["SOLVER.MAX_ITER", "1.5"])).Message);
    }

    [Fact]
    public void OverridesWinOverTheFile()
    {
        using var dir = new TempDir();
        var file = dir.File("a.yaml", "SOLVER:\n  BASE_LR: 0.02\n  MAX_ITER: 10\nMODEL:\n  DEVICE: cpu\n");
        var cfg = ConfigLoader.Load(file, ["SOLVER.BASE_LR", "0.01"]);
        Assert.Equal(0.01, cfg.Solver.BaseLr);
        Assert.Equal(10, cfg.Solver.MaxIter);
    }

    [Fact]
    public void BaseFileIsMergedFirstAndRelativeToTheChild()
    {
        using var dir = new TempDir();
        dir.File("base/common.yaml", "SOLVER:\n  BASE_LR: 0.02\n  MAX_ITER: 100\nMODEL:\n  MASK_ON: True\n  DEVICE: cpu\n");
        dir.File("base/mid.yaml", "_BASE_: common.yaml\nSOLVER:\n  MAX_ITER: 200\n");
        var child = dir.File("exp/child.yaml", "_BASE_: ../base/mid.yaml\nSOLVER:\n  BASE_LR: 0.005\n");
        var cfg = ConfigLoader.Load(child);
        Assert.Equal(0.005, cfg.Solver.BaseLr); // child wins
        Assert.Equal(200, cfg.Solver.MaxIter); // middle wins over its base
        Assert.True(cfg.Model.MaskOn); // inherited
    }

    [Fact]
    public void BaseCyclesAndMissingBasesAreErrors()
    {
        using var dir = new TempDir();
        var a = dir.File("a.yaml", "_BASE_: b.yaml\n");
        dir.File("b.yaml", "_BASE_: a.yaml\n");
        Assert.Contains("_BASE_ chain loops back", Assert.Throws<ConfigException>(() => ConfigLoader.Load(a)).Message);
        var c = dir.File("c.yaml", "_BASE_: missing.yaml\n");
        Assert.Equal($"{c}: _BASE_ file not found: {Path.Combine(dir.Path, "missing.yaml")}", Assert.Throws<ConfigException>(() => ConfigLoader.Load(c)).Message);
        Assert.EndsWith("missing.yaml", Assert.Throws<ConfigException>(() => ConfigLoader.Load(c)).Message);
    }

    [Fact]
    public void MissingConfigFileIsAnError() =>
        Assert.StartsWith("config file not found: nope.yaml (not a file, nor a shipped config; nearest shipped: ",
            Assert.Throws<ConfigException>(() => ConfigLoader.Load("nope.yaml")).Message);

    [Fact]
    public void EmptyFileGivesDefaults()
    {
        using var dir = new TempDir();
        var cfg = ConfigLoader.Load(dir.File("empty.yaml", "# nothing\n"), ["MODEL.DEVICE", "cpu"]);
        Assert.Equal(40000, cfg.Solver.MaxIter);
    }

    [Fact]
    public void UnknownComponentNamesAreTyposNotUnsupported()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, ["MODEL.BACKBONE.CONV_BODY", "R-50-FPM"]));
        Assert.IsNotType<ConfigNotSupportedException>(e);
        Assert.Equal("MODEL.BACKBONE.CONV_BODY: unknown value 'R-50-FPM' (did you mean 'R-50-FPN'?)", e.Message);
        Assert.Contains("MODEL.DEVICE: unknown device 'gpu'",
            Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, ["MODEL.DEVICE", "gpu"])).Message);
        Assert.Contains("SOLVER.STEPS must be increasing",
            Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, ["SOLVER.STEPS", "(100, 50)"])).Message);
    }

    [Fact]
    public void UnsupportedFeaturesSayNotSupportedYet()
    {
        var e = Assert.Throws<ConfigNotSupportedException>(() => ConfigLoader.Load(null, ["MODEL.RESNETS.STAGE_WITH_DCN", "(False, True, True, True)"]));
        Assert.Equal("not supported yet: MODEL.RESNETS.STAGE_WITH_DCN (deformable convolutions)", e.Message);
        Assert.Equal("MODEL.BACKBONE.CONV_BODY",
            Assert.Throws<ConfigNotSupportedException>(() => ConfigLoader.Load(null, ["MODEL.BACKBONE.CONV_BODY", "FBNet"])).Key);
    }
}

/// <summary>Issue 13: text that is neither a value nor a whole tuple is refused, never read as a name or a part of a file.</summary>
public class MalformedConfigValueTests
{
    [Theory]
    [InlineData("DATASETS:\n  TRAIN: (\"a\", \"b\"\n", "'(\"a\", \"b\"'")]   // unclosed tuple
    [InlineData("DATASETS:\n  TRAIN: a)\n", "'a)'")]                   // stray parenthesis
    [InlineData("DATASETS:\n  TEST: (a, b)\n", "'(a, b)'")]             // names without quotes: not a Python literal
    [InlineData("DATASETS:\n  TRAIN: a, b\n", "'a, b'")]                // a tuple without its parentheses
    public void BrokenTupleLiteralsAreNotOneName(string yaml, string given)
    {
        var cfg = new MaskRcnnConfig();
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.MergeYaml(cfg, yaml, "test.yaml"));
        var key = yaml.Contains("TEST") ? "DATASETS.TEST" : "DATASETS.TRAIN";
        Assert.StartsWith($"test.yaml: {key} expects tuple of str, got {given}, which is not a valid tuple", e.Message);
    }

    [Theory]
    [InlineData("(a")]
    [InlineData("a)")]
    [InlineData("(\"a\", \"b\"")]
    public void BrokenTupleOverridesAreRefused(string value)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.ApplyOverrides(new MaskRcnnConfig(), ["DATASETS.TRAIN", value]));
        Assert.StartsWith("command line: DATASETS.TRAIN expects tuple of str, got ", e.Message);
    }

    [Fact]
    public void OneNameAndWholeTuplesStillLoad()
    {
        var cfg = new MaskRcnnConfig();
        ConfigLoader.MergeYaml(cfg, "DATASETS:\n  TRAIN: coco_2017_train\n  TEST: (\"a(1)\", \"b\")\n", "test.yaml");
        Assert.Equal(["coco_2017_train"], cfg.Datasets.Train);
        Assert.Equal(["a(1)", "b"], cfg.Datasets.Test);
        ConfigLoader.ApplyOverrides(cfg, ["DATASETS.TRAIN", "shapes_train", "MODEL.WEIGHT", "weights (copy).pth"]);
        Assert.Equal(["shapes_train"], cfg.Datasets.Train);
        Assert.Equal("weights (copy).pth", cfg.Model.Weight); // a str key keeps its text, as yacs does
    }

    [Theory]
    [InlineData("---\n---\nMODEL:\n  MASK_ON: True\n")]
    [InlineData("MODEL:\n  MASK_ON: True\n---\nSOLVER:\n  MAX_ITER: 5\n")]
    public void SeveralYamlDocumentsAreRefused(string yaml)
    {
        using var dir = new TempDir();
        var file = dir.File("multi.yaml", yaml);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(file));
        Assert.StartsWith($"{file}: holds 2 YAML documents", e.Message);
    }

    [Fact]
    public void OneDocumentWithAnExplicitStartLoads()
    {
        using var dir = new TempDir();
        var cfg = ConfigLoader.Load(dir.File("one.yaml", "# header\n---\nMODEL:\n  MASK_ON: True\n...\n"));
        Assert.True(cfg.Model.MaskOn);
    }
}
