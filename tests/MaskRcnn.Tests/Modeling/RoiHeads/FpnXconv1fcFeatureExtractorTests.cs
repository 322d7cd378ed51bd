using MaskRcnn.Checkpoint;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.Cli;
using MaskRcnn.Config;
using MaskRcnn.Engine;
using MaskRcnn.Modeling;
using MaskRcnn.Modeling.RoiHeads.Box;
using MaskRcnn.SafeTensors;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using MaskRcnn.Tests.Engine;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling.RoiHeads;

/// <summary>maskrcnn-benchmark's FPNXconv1fcFeatureExtractor (the gn_baselines' "Xconv1fc" box head): its parameter
/// names and shapes as the reference's module layout gives them, its init, one forward worked out by hand, the four
/// zoo configs that use it, and two training iterations.</summary>
[Collection(TrainingCollection.Name)] // building models draws on torch's global generator
public sealed class FpnXconv1fcFeatureExtractorTests : IClassFixture<TrainerSmokeTests.TinyShapes>
{
    const string Prefix = "roi_heads.box.feature_extractor.";
    const string Stem = "backbone.body.stem.conv1.weight";
    readonly TrainerSmokeTests.TinyShapes data;

    public FpnXconv1fcFeatureExtractorTests(TrainerSmokeTests.TinyShapes data) => this.data = data;

    static string GnConfig(string name) => Path.Combine(TestPaths.Configs, "gn_baselines", name);

    [Fact]
    public void GroupNormConfigHasTheReferencesNamesShapesAndInit()
    {
        var cfg = ConfigLoader.Load(GnConfig("e2e_mask_rcnn_R_50_FPN_Xconv1fc_1x_gn.yaml"), ["MODEL.DEVICE", "cpu", "MODEL.WEIGHT", ""]);
        torch.manual_seed(5);
        using var model = ModelBuilder.Build(cfg);
        var head = model.state_dict().Where(kv => kv.Key.StartsWith(Prefix)).ToDictionary(kv => kv.Key[Prefix.Length..], kv => kv.Value);

        // The reference's nn.Sequential "xconvs" holds conv, GroupNorm, ReLU per stacked conv: convs at 0, 3, 6, 9 (no
        // bias under USE_GN), GroupNorms at 1, 4, 7, 10; then fc6 over 256·7·7 inputs to MLP_HEAD_DIM 1024.
        var expected = new Dictionary<string, long[]>
        {
            ["fc6.weight"] = [1024, 256 * 7 * 7],
            ["fc6.bias"] = [1024],
        };
        foreach (var conv in new[] { 0, 3, 6, 9 })
        {
            expected[$"xconvs.{conv}.weight"] = [256, 256, 3, 3];
            expected[$"xconvs.{conv + 1}.weight"] = [256];
            expected[$"xconvs.{conv + 1}.bias"] = [256];
        }
        Assert.Equal(expected.Keys.Order(), head.Keys.Order());
        foreach (var (name, shape) in expected) Assert.Equal(shape, head[name].shape);

        var extractor = Assert.IsType<FpnXconv1fcFeatureExtractor>(model.named_modules().Single(m => m.name == "roi_heads.box.feature_extractor").module);
        var norms = extractor.named_modules().Where(m => m.module is GroupNorm).ToList();
        Assert.Equal(["xconvs.1", "xconvs.4", "xconvs.7", "xconvs.10"], norms.Select(m => m.name));
        Assert.All(norms, m => Assert.Equal(32, ((GroupNorm)m.module).num_groups)); // MODEL.GROUP_NORM.NUM_GROUPS

        // Init: convs normal with std 0.01 (589,824 draws each), GroupNorm 1 and 0, fc6 kaiming-uniform(a = 1) — bound
        // sqrt(6 / ((1 + 1) · fan_in)) = sqrt(3 / 12544) — with a zero bias.
        foreach (var conv in new[] { 0, 3, 6, 9 })
        {
            var w = head[$"xconvs.{conv}.weight"];
            Assert.InRange(w.std().item<float>(), 0.0098, 0.0102);
            Assert.InRange(w.mean().item<float>(), -0.0002, 0.0002);
            Assert.True(head[$"xconvs.{conv + 1}.weight"].eq(1).all().item<bool>());
            Assert.True(head[$"xconvs.{conv + 1}.bias"].eq(0).all().item<bool>());
        }
        double bound = Math.Sqrt(3.0 / 12544);
        Assert.InRange(head["fc6.weight"].abs().max().item<float>(), bound * 0.99, bound);
        Assert.True(head["fc6.bias"].eq(0).all().item<bool>());

        // A forward over a 64×96 image's P2–P6 maps: one 1024-vector per box, non-negative after the ReLU.
        model.eval();
        using var noGrad = torch.no_grad();
        var features = new[] { 4, 8, 16, 32, 64 }.Select(s => torch.randn(1, 256, 64 / s, 96 / s)).ToArray();
        var rois = new BoxList(torch.tensor(new float[] { 0, 0, 20, 30, 10, 5, 90, 60, 40, 40, 48, 44 }, [3, 4]), new ImageSize(64, 96));
        var output = extractor.forward(features, [rois]);
        Assert.Equal(new long[] { 3, 1024 }, output.shape);
        Assert.True(output.ge(0).all().item<bool>());
        Assert.Equal(1024, extractor.OutChannels);
    }

    [Fact]
    public void WithoutGroupNormTheConvsHaveBiasesAndTheReluSitsBetween()
    {
        var cfg = ConfigLoader.Load(GnConfig("e2e_faster_rcnn_R_50_FPN_Xconv1fc_1x_gn.yaml"),
            ["MODEL.DEVICE", "cpu", "MODEL.WEIGHT", "", "MODEL.ROI_BOX_HEAD.USE_GN", "False", "MODEL.ROI_BOX_HEAD.NUM_STACKED_CONVS", "2",
             "MODEL.ROI_BOX_HEAD.CONV_HEAD_DIM", "64", "MODEL.ROI_BOX_HEAD.MLP_HEAD_DIM", "32", "MODEL.ROI_BOX_HEAD.DILATION", "2"]);
        var extractor = (FpnXconv1fcFeatureExtractor)BoxFeatureExtractors.Registry.Get(cfg.Model.RoiBoxHead.FeatureExtractor)(cfg, 256, null);
        var state = extractor.state_dict();
        // conv, ReLU, conv, ReLU: the convs at 0 and 2.
        Assert.Equal(["fc6.bias", "fc6.weight", "xconvs.0.bias", "xconvs.0.weight", "xconvs.2.bias", "xconvs.2.weight"], state.Keys.Order());
        Assert.Equal(new long[] { 64, 256, 3, 3 }, state["xconvs.0.weight"].shape);
        Assert.Equal(new long[] { 64, 64, 3, 3 }, state["xconvs.2.weight"].shape);
        Assert.Equal(new long[] { 32, 64 * 7 * 7 }, state["fc6.weight"].shape);
        Assert.True(state["xconvs.0.bias"].eq(0).all().item<bool>());
        Assert.Equal(32, extractor.OutChannels);
    }

    /// <summary>One level of constant value v, pooled 2×2 (RoIAlign of a constant map is that constant), one 1→1 conv
    /// with kernel 1…9 row-major and bias b, one fc with weights 1, 10, 100, 1000 and the given bias.</summary>
    static Tensor HandCase(int dilation, float v, float convBias, float fcBias = 0.5f)
    {
        var extractor = new FpnXconv1fcFeatureExtractor(1, 2, [1.0], 2, 1, 1, dilation, 1, null);
        using (torch.no_grad())
        {
            var p = extractor.named_parameters().ToDictionary(x => x.name, x => x.parameter);
            p["xconvs.0.weight"].copy_(torch.arange(1, 10, dtype: ScalarType.Float32).reshape(1, 1, 3, 3));
            p["xconvs.0.bias"].fill_(convBias);
            p["fc6.weight"].copy_(torch.tensor(new float[] { 1, 10, 100, 1000 }).reshape(1, 4));
            p["fc6.bias"].fill_(fcBias);
        }
        var features = new[] { torch.full(1, 1, 8, 8, v) };
        var rois = new BoxList(torch.tensor(new float[] { 1, 1, 5, 5 }, [1, 4]), new ImageSize(8, 8));
        return extractor.forward(features, [rois]);
    }

    [Fact]
    public void ForwardMatchesAHandDerivedCase()
    {
        // Padding 1 on a 2×2 map: output (0,0) sees kernel taps 5, 6, 8, 9 (sum 28); (0,1) 4, 5, 7, 8 (24); (1,0)
        // 2, 3, 5, 6 (16); (1,1) 1, 2, 4, 5 (12). With v = 1, b = −20: 8, 4, −4, −8, after ReLU 8, 4, 0, 0; fc6
        // (row-major flatten): 8·1 + 4·10 + 0.5 = 48.5. A flipped kernel or a missing ReLU gives something else.
        Assert.Equal(48.5f, HandCase(1, 1, -20).item<float>(), 4);
        // Dilation 2 (padding 2): every output sees only the centre tap, 5: with v = 5, 25 − 20 = 5 at each of the four,
        // fc6: 5·1111 + 0.5.
        Assert.Equal(5555.5f, HandCase(2, 5, -20).item<float>(), 2);
        // fc6's ReLU: the first case with fc bias −100 sums to −52, which comes out as 0.
        Assert.Equal(0f, HandCase(1, 1, -20, fcBias: -100).item<float>());
    }

    [Fact]
    public void AMaskRcnnBenchmarkCheckpointOfThisHeadLoadsAndThenPredicts()
    {
        var cfg = Inference.TinyModel.Config("MODEL.ROI_BOX_HEAD.FEATURE_EXTRACTOR", "FPNXconv1fcFeatureExtractor", "MODEL.ROI_BOX_HEAD.USE_GN", "True",
            "MODEL.ROI_BOX_HEAD.CONV_HEAD_DIM", "64", "MODEL.ROI_BOX_HEAD.NUM_STACKED_CONVS", "2");
        // As maskrcnn-benchmark saves a model trained under DataParallel: its names, with "module." in front.
        using var file = new StateDict();
        torch.manual_seed(7);
        using (var source = ModelBuilder.Build(cfg))
            foreach (var (name, tensor) in source.state_dict()) file.Add("module." + name, tensor.clone());
        Assert.Contains("module." + Prefix + "xconvs.4.bias", file.Names);
        string[] checkedNames = ["xconvs.0.weight", "xconvs.1.weight", "xconvs.3.weight", "xconvs.4.bias", "fc6.weight"];
        var saved = checkedNames.ToDictionary(n => n, n => file["module." + Prefix + n].clone()); // conversion takes the file's tensors

        torch.manual_seed(8);
        var model = ModelBuilder.Build(cfg);
        using var converted = WeightNameConverter.ToOurs("ckpt", file);
        Assert.Equal(WeightScheme.MaskRcnnBenchmark, converted.Scheme);
        var report = WeightLoader.Load(model, converted);
        Assert.Empty(report.LeftInitialised);
        Assert.Empty(report.Unexpected);
        foreach (var name in checkedNames) TensorAssert.Equal(saved[name], model.state_dict()[Prefix + name], name);

        using var predictor = MaskRcnn.Inference.Predictor.FromModel(cfg, model);
        var result = predictor.Predict([Inference.TinyModel.Image(64, 80, 1)]).Single();
        Assert.True(result.Count > 0, "no detections");
        Assert.Equal(result.Count, result.Field<BitMasks>(BoxFields.Masks).Count);
    }

    public static TheoryData<string> XconvConfigs() =>
    [
        "e2e_faster_rcnn_R_50_FPN_Xconv1fc_1x_gn.yaml", "e2e_mask_rcnn_R_50_FPN_Xconv1fc_1x_gn.yaml",
        "scratch_e2e_faster_rcnn_R_50_FPN_Xconv1fc_3x_gn.yaml", "scratch_e2e_mask_rcnn_R_50_FPN_Xconv1fc_3x_gn.yaml",
    ];

    [Theory]
    [MemberData(nameof(XconvConfigs))]
    public void TheZooConfigsValidateAndBuild(string name)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Assert.True(MaskRcnnCommandLine.Run(["config", "--config", GnConfig(name), "--validate"], stdout, stderr) == 0, stderr.ToString());
        Assert.Equal($"{GnConfig(name)}: OK", stdout.ToString().Trim());
        var cfg = ConfigLoader.Load(GnConfig(name), ["MODEL.DEVICE", "cpu", "MODEL.WEIGHT", ""]);
        using var model = ModelBuilder.Build(cfg);
        Assert.Contains(Prefix + "xconvs.10.weight", model.state_dict().Keys);
    }

    [Theory]
    [InlineData("MODEL.ROI_BOX_HEAD.DILATION", "0", "MODEL.ROI_BOX_HEAD.DILATION must be 1 or more, got 0")]
    [InlineData("MODEL.ROI_BOX_HEAD.NUM_STACKED_CONVS", "-1", "MODEL.ROI_BOX_HEAD.NUM_STACKED_CONVS must be 0 or more, got -1")]
    [InlineData("MODEL.ROI_BOX_HEAD.CONV_HEAD_DIM", "100",
        "MODEL.ROI_BOX_HEAD.CONV_HEAD_DIM 100 with MODEL.ROI_BOX_HEAD.USE_GN: MODEL.GROUP_NORM.NUM_GROUPS: 100 channels cannot be split into 32 groups")]
    public void BadHeadSettingsAreRefusedAtLoad(string key, string value, string message)
    {
        var path = GnConfig("e2e_faster_rcnn_R_50_FPN_Xconv1fc_1x_gn.yaml");
        Assert.Equal($"{path}: {message}", Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, [key, value])).Message);
    }

    [Fact]
    public void TrainsTwoIterationsOnTinyData()
    {
        using var run = new TempDir();
        var cfg = ConfigLoader.Load(GnConfig("e2e_mask_rcnn_R_50_FPN_Xconv1fc_1x_gn.yaml"),
            ["MODEL.DEVICE", "cpu", "MODEL.WEIGHT", "", "PATHS_CATALOG", data.Catalog, "DATASETS.TRAIN", "(\"tiny_train\",)", "DATASETS.TEST", "()",
             "OUTPUT_DIR", run.Path, "MODEL.RESNETS.BACKBONE_OUT_CHANNELS", "64", "MODEL.ROI_BOX_HEAD.CONV_HEAD_DIM", "64",
             "MODEL.ROI_BOX_HEAD.NUM_STACKED_CONVS", "2", "MODEL.ROI_BOX_HEAD.MLP_HEAD_DIM", "64", "MODEL.ROI_MASK_HEAD.CONV_LAYERS", "(64,)",
             "MODEL.ROI_MASK_HEAD.RESOLUTION", "14", "MODEL.ROI_MASK_HEAD.POOLER_RESOLUTION", "7", "MODEL.ROI_HEADS.BATCH_SIZE_PER_IMAGE", "32",
             "MODEL.RPN.PRE_NMS_TOP_N_TRAIN", "200", "MODEL.RPN.POST_NMS_TOP_N_TRAIN", "100", "MODEL.RPN.FPN_POST_NMS_TOP_N_TRAIN", "100",
             "INPUT.MIN_SIZE_TRAIN", "(64,)", "INPUT.MAX_SIZE_TRAIN", "96", "DATALOADER.NUM_WORKERS", "0", "SOLVER.IMS_PER_BATCH", "2",
             "SOLVER.MAX_ITER", "2", "SOLVER.BASE_LR", "0.01", "SOLVER.WARMUP_ITERS", "1", "SOLVER.STEPS", "(100,)", "SOLVER.WEIGHT_DECAY", "0", "SEED", "3"]);
        // The trainer seeds torch with SEED before it builds the model: the same seed here gives its initial weights.
        torch.manual_seed(3);
        Dictionary<string, Tensor> initial;
        using (var fresh = ModelBuilder.Build(cfg))
            initial = fresh.state_dict().Where(kv => kv.Key.StartsWith(Prefix) || kv.Key == Stem).ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        var log = new StringWriter();
        var result = new Trainer(cfg, new TrainingOptions(Resume: false, LogPeriod: 1), log).Run();
        Assert.Equal(2, result.Iteration);
        Assert.Contains("iter 2/2", log.ToString());
        var losses = File.ReadAllLines(Path.Combine(run.Path, "metrics.jsonl"))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToList();
        Assert.Equal(2, losses.Count);
        Assert.All(losses, l => Assert.True(double.IsFinite(l), $"loss {l}"));

        // The trained head is saved under the reference's names, and its convs moved (gradients reach them).
        using var saved = SafeTensorsFile.Load(result.CheckpointPath);
        var trained = saved.Where(kv => kv.Key.StartsWith(Prefix)).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(initial.Keys.Where(k => k != Stem).Order(), trained.Keys.Order());
        // The frozen stem (FREEZE_CONV_BODY_AT 2) kept its weights: the initial ones above are the trainer's. Without weight
        // decay, only gradients move the others.
        Assert.True(saved.Single(kv => kv.Key == Stem).Value.eq(initial[Stem]).all().item<bool>());
        Assert.Contains(Prefix + "xconvs.4.weight", trained.Keys); // conv, GN, ReLU, conv, GN: the second GroupNorm
        Assert.False(trained[Prefix + "xconvs.0.weight"].allclose(initial[Prefix + "xconvs.0.weight"], rtol: 0, atol: 0));
        Assert.False(trained[Prefix + "fc6.weight"].allclose(initial[Prefix + "fc6.weight"], rtol: 0, atol: 0));
    }
}
