using MaskRcnn.Config;
using MaskRcnn.Engine;
using MaskRcnn.Inference;
using MaskRcnn.Modeling;
using MaskRcnn.Structures;
using MaskRcnn.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Engine;

/// <summary>DTYPE bfloat16 (autocast on the CPU): training steps of the shipped and reference architectures run with
/// finite losses, and inference gives the float32 model's detections up to bfloat16's precision.</summary>
[Collection(TrainingCollection.Name)]
public class MixedPrecisionTests : IClassFixture<TrainerSmokeTests.TinyShapes>
{
    readonly TrainerSmokeTests.TinyShapes data;
    public MixedPrecisionTests(TrainerSmokeTests.TinyShapes data) => this.data = data;

    MaskRcnnConfig Config(string file, string outputDir, string dtype, int maxIter = 2) => ConfigLoader.Load(file,
        ["MODEL.DEVICE", "cpu", "MODEL.WEIGHT", "", "PATHS_CATALOG", data.Catalog, "DATASETS.TRAIN", "(\"tiny_train\",)", "DATASETS.TEST", "()",
         "OUTPUT_DIR", outputDir, "INPUT.MIN_SIZE_TRAIN", "(64,)", "INPUT.MAX_SIZE_TRAIN", "96", "INPUT.MIN_SIZE_TEST", "64", "INPUT.MAX_SIZE_TEST", "96",
         "DATALOADER.NUM_WORKERS", "0", "SOLVER.IMS_PER_BATCH", "2", "SOLVER.MAX_ITER", maxIter.ToString(), "SOLVER.BASE_LR", "0.001",
         "MODEL.ROI_HEADS.BATCH_SIZE_PER_IMAGE", "32", "MODEL.RPN.PRE_NMS_TOP_N_TRAIN", "200", "MODEL.RPN.POST_NMS_TOP_N_TRAIN", "100",
         "MODEL.RPN.FPN_POST_NMS_TOP_N_TRAIN", "100", "MODEL.ROI_HEADS.SCORE_THRESH", "0.0", "SEED", "1", "DTYPE", dtype]);

    public static TheoryData<string> Configs() => new()
    {
        Path.Combine(TestPaths.RepoRoot, "configs", "shapes", "mask_rcnn_R_18_FPN_gn.yaml"),
        Path.Combine(TestPaths.ReferenceConfigs, "e2e_mask_rcnn_R_50_FPN_1x.yaml"),
        Path.Combine(TestPaths.ReferenceConfigs, "e2e_mask_rcnn_R_50_C4_1x.yaml"),
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void TrainingStepsRunWithFiniteLosses(string file)
    {
        using var run = new TempDir();
        var log = new StringWriter();
        var result = new Trainer(Config(file, run.Path, "bfloat16"), new TrainingOptions(Resume: false, LogPeriod: 1), log).Run();
        Assert.Equal(2, result.Iteration);
        Assert.Contains("iter 2/2", log.ToString());
    }

    [Fact]
    public void Float16TrainingScalesTheLossAndResumesWithTheScale()
    {
        using var run = new TempDir();
        var file = Path.Combine(TestPaths.RepoRoot, "configs", "shapes", "mask_rcnn_R_18_FPN_gn.yaml");
        var log = new StringWriter();
        var result = new Trainer(Config(file, run.Path, "float16"), new TrainingOptions(Resume: false, LogPeriod: 1), log).Run();
        Assert.Equal(2, result.Iteration);
        Assert.Contains("grad_scale", File.ReadAllText(Path.Combine(run.Path, "metrics.jsonl")));
        using var checkpoint = MaskRcnn.Checkpoint.SafeTensorsFile.Load(result.CheckpointPath);
        // Two steps from 2^16: each either overflowed (scale halved, tracker reset) or counted as a clean step.
        double scale = double.Parse(checkpoint.Metadata[MaskRcnn.Checkpoint.CheckpointFormat.ExtraPrefix + "loss_scaler/scale"], System.Globalization.CultureInfo.InvariantCulture);
        int tracker = int.Parse(checkpoint.Metadata[MaskRcnn.Checkpoint.CheckpointFormat.ExtraPrefix + "loss_scaler/growth_tracker"]);
        int halvings = (int)Math.Round(Math.Log2(65536 / scale));
        Assert.Equal(65536 / Math.Pow(2, halvings), scale);
        Assert.InRange(halvings, 0, 2);
        Assert.InRange(tracker, 0, 2 - halvings);
        // Resuming restores the scaler and goes on.
        var resumed = new Trainer(Config(file, run.Path, "float16", maxIter: 3), new TrainingOptions(Resume: true, LogPeriod: 1), log).Run();
        Assert.Equal(3, resumed.Iteration);
        Assert.Contains("resuming from", log.ToString());
    }

    [Fact]
    public void InferenceMatchesFloat32UpToBfloat16Precision()
    {
        var file = Path.Combine(TestPaths.RepoRoot, "configs", "shapes", "mask_rcnn_R_18_FPN_gn.yaml");
        using var run = new TempDir();
        var image = Inference.TinyModel.Image(80, 96, seed: 3);
        torch.manual_seed(5);
        var model = ModelBuilder.Build(Config(file, run.Path, "float32"));
        var weights = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        using var full = Predictor.FromModel(Config(file, run.Path, "float32"), model);
        torch.manual_seed(5);
        var other = ModelBuilder.Build(Config(file, run.Path, "bfloat16"));
        other.load_state_dict(weights);
        using var mixed = Predictor.FromModel(Config(file, run.Path, "bfloat16"), other);
        using var scope = torch.NewDisposeScope();
        var a = full.Predict([image])[0];
        var b = mixed.Predict([image])[0];
        Assert.True(a.Count > 0);
        Assert.Equal(ScalarType.Float32, b.Boxes.dtype);
        // The best detection of float32 is found by bfloat16 too, at nearly the same place and score.
        var best = a.Boxes[0];
        var iou = BoxOps.Iou(a.Boxes[..1], b.Boxes).max().item<float>();
        Assert.True(iou > 0.8, $"best float32 box {string.Join(",", best.data<float>().ToArray())} has IoU {iou} with the bfloat16 boxes");
        float scoreA = a.Field(BoxFields.Scores)[0].item<float>(), scoreB = b.Field(BoxFields.Scores).max().item<float>();
        Assert.True(Math.Abs(scoreA - scoreB) < 0.05, $"best score {scoreA} in float32, {scoreB} in bfloat16");
        Assert.NotEqual(scoreA, scoreB); // bfloat16 really was used
    }
}
