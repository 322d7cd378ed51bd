using MaskRcnn.Cli;
using MaskRcnn.Config;
using MaskRcnn.Data.Shapes;
using MaskRcnn.Engine;
using MaskRcnn.SafeTensors;
using MaskRcnn.Tests.Engine.Events;
using TorchSharp;

namespace MaskRcnn.Tests.Engine;

/// <summary>Training seeds torch's global generator, which every model construction draws from (and checkpoints save
/// and restore it): these tests run alone, after the parallel ones, so that no other test disturbs that sequence.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TrainingCollection
{
    public const string Name = "training";
}

/// <summary>A tiny Mask R-CNN trained for a few iterations on a tiny generated shapes set: the loss falls,
/// checkpoints and last_checkpoint appear, and stopping then resuming gives the same weights as training straight.</summary>
[Collection(TrainingCollection.Name)]
public class TrainerSmokeTests : IClassFixture<TrainerSmokeTests.TinyShapes>
{
    public sealed class TinyShapes : IDisposable
    {
        public TempDir Dir { get; } = new();
        public string Catalog { get; }
        public TinyShapes()
        {
            ShapesDatasetWriter.Write(Path.Combine(Dir.Path, "tiny"), images: 8, seed: 9, minSide: 64, maxSide: 96);
            Catalog = Dir.File("catalog.yaml", "DATASETS:\n  tiny_train: {img_dir: tiny/images, ann_file: tiny/annotations.json}\n");
        }
        public void Dispose() => Dir.Dispose();
    }

    readonly TinyShapes data;
    public TrainerSmokeTests(TinyShapes data) => this.data = data;

    MaskRcnnConfig Config(string outputDir, int maxIter) => ConfigLoader.Load(
        Path.Combine(TestPaths.RepoRoot, "configs", "shapes", "mask_rcnn_R_18_FPN_gn.yaml"),
        ["PATHS_CATALOG", data.Catalog, "DATASETS.TRAIN", "(\"tiny_train\",)", "DATASETS.TEST", "()", "OUTPUT_DIR", outputDir,
         "MODEL.RESNETS.BACKBONE_OUT_CHANNELS", "64", "MODEL.ROI_BOX_HEAD.MLP_HEAD_DIM", "64", "MODEL.ROI_MASK_HEAD.CONV_LAYERS", "(64,)",
         "MODEL.ROI_MASK_HEAD.RESOLUTION", "14", "MODEL.ROI_MASK_HEAD.POOLER_RESOLUTION", "7",
         "INPUT.MIN_SIZE_TRAIN", "(64,)", "INPUT.MAX_SIZE_TRAIN", "96", "DATALOADER.NUM_WORKERS", "0",
         "SOLVER.IMS_PER_BATCH", "2", "SOLVER.BASE_LR", "0.01", "SOLVER.WARMUP_ITERS", "2", "SOLVER.STEPS", "(100,)",
         "SOLVER.MAX_ITER", maxIter.ToString(), "SOLVER.CHECKPOINT_PERIOD", "4", "SEED", "3"]);

    static TrainingResult Train(MaskRcnnConfig cfg, bool resume = true) =>
        new Trainer(cfg, new TrainingOptions(resume, LogPeriod: 2), new StringWriter()).Run();

    [Fact]
    public void LossFallsAndCheckpointsAppear()
    {
        using var run = new TempDir();
        var result = Train(Config(run.Path, 16));
        Assert.False(result.Interrupted);
        Assert.True(File.Exists(Path.Combine(run.Path, "model_0000004.safetensors")));
        Assert.True(File.Exists(Path.Combine(run.Path, "model_0000012.safetensors")));
        Assert.True(File.Exists(Path.Combine(run.Path, "model_final.safetensors"))); // the end is model_final, as in maskrcnn-benchmark
        Assert.Equal("model_final.safetensors", File.ReadAllText(Path.Combine(run.Path, "last_checkpoint")).Trim().Split('/', '\\')[^1]);
        Assert.True(File.Exists(Path.Combine(run.Path, "config.yaml")));
        Assert.NotEmpty(Directory.GetFiles(run.Path, "events.out.tfevents*", SearchOption.AllDirectories));
        var plot = MaskRcnn.Data.ImageDecoder.Decode(Path.Combine(run.Path, "loss.png"), int.MaxValue);
        Assert.Equal(new long[] { 3, 540, 900 }, plot.shape);
        var losses = File.ReadAllLines(Path.Combine(run.Path, "metrics.jsonl"))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("loss").GetDouble()).ToList();
        Assert.Equal(8, losses.Count);
        Assert.True(losses[^1] < losses[0], $"loss went from {losses[0]} to {losses[^1]}");
    }

    [Fact]
    public void StoppingAndResumingGivesTheSameWeightsAsTrainingStraight()
    {
        using var straight = new TempDir();
        using var resumed = new TempDir();
        Train(Config(straight.Path, 8));
        Train(Config(resumed.Path, 4));
        var second = Train(Config(resumed.Path, 8));
        Assert.Equal(8, second.Iteration);
        using var a = SafeTensorsFile.Load(Path.Combine(straight.Path, "model_final.safetensors"));
        using var b = SafeTensorsFile.Load(Path.Combine(resumed.Path, "model_final.safetensors"));
        foreach (var (name, tensor) in a.Where(kv => !kv.Key.StartsWith("extra/")))
            TensorAssert.Close(tensor, b.Single(kv => kv.Key == name).Value, rtol: 1e-6, atol: 1e-6, what: name);
    }

    [Fact]
    public void AStopRequestFinishesTheIterationCheckpointsAndSaysHowToResume()
    {
        using var run = new TempDir();
        using var stop = new CancellationTokenSource();
        stop.Cancel(); // as Ctrl-C does: the current iteration completes, then training stops
        var console = new StringWriter();
        var result = new Trainer(Config(run.Path, 8), new TrainingOptions(LogPeriod: 2), console).Run(stop.Token);
        Assert.True(result.Interrupted);
        Assert.Equal(1, result.Iteration);
        Assert.True(File.Exists(Path.Combine(run.Path, "model_0000001.safetensors")));
        Assert.Contains("run the same command again to resume", console.ToString());
        var resumed = Train(Config(run.Path, 2));
        Assert.Equal(2, resumed.Iteration);
        Assert.False(resumed.Interrupted);
    }

    [Fact]
    public void OtherWritersReplaceTheDefaultOnesWithoutChangingTheTraining()
    {
        using var run = new TempDir();
        var recorder = new RecordingWriter();
        var console = new StringWriter();
        var result = new Trainer(Config(run.Path, 3), new TrainingOptions(LogPeriod: 2), console, _ => [recorder]).Run();
        Assert.Equal(3, result.Iteration);
        Assert.True(File.Exists(Path.Combine(run.Path, "model_final.safetensors")));
        Assert.Equal([(1L, false), (2L, true), (3L, true)], recorder.Written.Select(w => (w.Iteration, w.Logged)));
        Assert.All(recorder.Written, w => Assert.True(double.IsFinite(w.Loss)));
        Assert.Equal(1, recorder.Finished);
        Assert.Equal(1, recorder.Disposed);
        // As a distributed run's other processes: no metrics.jsonl, event file, loss.png or progress line; the run's notes stay.
        Assert.False(File.Exists(Path.Combine(run.Path, "metrics.jsonl")));
        Assert.Empty(Directory.GetFiles(run.Path, "events.out.tfevents*", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(run.Path, "loss.png")));
        Assert.DoesNotContain("iter ", console.ToString());
        Assert.Contains("done: 3 iterations", console.ToString());
    }

    [Fact]
    public void TrainVerbEvaluatesOnTheTestSetAfterwardsUnlessSkipped()
    {
        using var run = new TempDir();
        string[] Args(params string[] extra) => ["train", "--config", Path.Combine(TestPaths.RepoRoot, "configs", "shapes", "mask_rcnn_R_18_FPN_gn.yaml"),
            .. extra, "PATHS_CATALOG", data.Catalog, "DATASETS.TRAIN", "(\"tiny_train\",)", "DATASETS.TEST", "(\"tiny_train\",)", "OUTPUT_DIR", run.Path,
            "MODEL.RESNETS.BACKBONE_OUT_CHANNELS", "64", "MODEL.ROI_BOX_HEAD.MLP_HEAD_DIM", "64", "MODEL.ROI_MASK_HEAD.CONV_LAYERS", "(64,)",
            "INPUT.MIN_SIZE_TRAIN", "(64,)", "INPUT.MAX_SIZE_TRAIN", "96", "INPUT.MIN_SIZE_TEST", "64", "INPUT.MAX_SIZE_TEST", "96",
            "DATALOADER.NUM_WORKERS", "0", "SOLVER.IMS_PER_BATCH", "2", "SOLVER.MAX_ITER", "2", "SOLVER.WARMUP_ITERS", "1", "SEED", "3"];
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, MaskRcnnCommandLine.Run(Args("--skip-test"), stdout, stderr));
        Assert.False(Directory.Exists(Path.Combine(run.Path, "inference")));
        Assert.Equal(0, MaskRcnnCommandLine.Run(Args("--no-resume"), stdout, stderr));
        Assert.Equal("", stderr.ToString());
        var dir = Path.Combine(run.Path, "inference", "tiny_train");
        Assert.True(File.Exists(Path.Combine(dir, "bbox.json")));
        Assert.True(File.Exists(Path.Combine(dir, "segm.json")));
        Assert.True(File.Exists(Path.Combine(dir, "coco_eval.json")));
        Assert.Contains("Evaluate annotation type *segm*", stdout.ToString());
    }

    [Fact]
    public void TrainsOnSeveralDatasetsAtOnce()
    {
        using var run = new TempDir();
        var cfg = ConfigLoader.Load(Path.Combine(TestPaths.RepoRoot, "configs", "shapes", "mask_rcnn_R_18_FPN_gn.yaml"),
            ["PATHS_CATALOG", data.Catalog, "DATASETS.TRAIN", "(\"tiny_train\", \"tiny_train\")", "DATASETS.TEST", "()", "OUTPUT_DIR", run.Path,
             "MODEL.RESNETS.BACKBONE_OUT_CHANNELS", "64", "MODEL.ROI_BOX_HEAD.MLP_HEAD_DIM", "64", "MODEL.ROI_MASK_HEAD.CONV_LAYERS", "(64,)",
             "INPUT.MIN_SIZE_TRAIN", "(64,)", "INPUT.MAX_SIZE_TRAIN", "96", "DATALOADER.NUM_WORKERS", "0", "SOLVER.IMS_PER_BATCH", "2",
             "SOLVER.MAX_ITER", "1", "SEED", "3"]);
        var log = new StringWriter();
        Assert.Equal(1, new Trainer(cfg, new TrainingOptions(Resume: false, LogPeriod: 1), log).Run().Iteration);
        Assert.Contains("on tiny_train+tiny_train (16 images)", log.ToString());
    }

    [Fact]
    public void TrainVerbRunsAndBadDatasetsAreOneLine()
    {
        using var run = new TempDir();
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var args = new[] { "train", "--config", Path.Combine(TestPaths.RepoRoot, "configs", "shapes", "mask_rcnn_R_18_FPN_gn.yaml"),
            "DATASETS.TRAIN", "(\"nope_train\",)", "OUTPUT_DIR", run.Path };
        Assert.Equal(2, MaskRcnnCommandLine.Run(args, stdout, stderr));
        Assert.Contains("unknown dataset 'nope_train'", stderr.ToString());
        Assert.Single(stderr.ToString().Trim().Split('\n'));
    }
}

/// <summary>maskrcnn-benchmark's own configs (and our VGG ones) train (one iteration) once their datasets point at a tiny shapes set and their
/// catalog:// ImageNet weights (downloads) are replaced by random initialisation.</summary>
[Collection(TrainingCollection.Name)]
public class ReferenceConfigTrainingTests : IClassFixture<TrainerSmokeTests.TinyShapes>
{
    readonly TrainerSmokeTests.TinyShapes data;
    public ReferenceConfigTrainingTests(TrainerSmokeTests.TinyShapes data) => this.data = data;

    [Theory]
    [InlineData("e2e_mask_rcnn_R_50_FPN_1x.yaml")]
    [InlineData("e2e_mask_rcnn_R_50_C4_1x.yaml")]
    [InlineData("gn_baselines/e2e_mask_rcnn_R_50_FPN_1x_gn.yaml")]
    [InlineData("e2e_faster_rcnn_R_101_FPN_1x.yaml")]
    [InlineData("vgg/e2e_mask_rcnn_VGG_16_C5_1x.yaml")]
    [InlineData("vgg/e2e_faster_rcnn_VGG_16_C5_1x.yaml")]
    public void OneIterationOnTinyData(string file)
    {
        using var run = new TempDir();
        var cfg = ConfigLoader.Load(Path.Combine(TestPaths.Configs, file),
            ["MODEL.DEVICE", "cpu", "MODEL.WEIGHT", "", "PATHS_CATALOG", data.Catalog, "DATASETS.TRAIN", "(\"tiny_train\",)", "DATASETS.TEST", "()",
             "OUTPUT_DIR", run.Path, "INPUT.MIN_SIZE_TRAIN", "(64,)", "INPUT.MAX_SIZE_TRAIN", "96", "DATALOADER.NUM_WORKERS", "0",
             "SOLVER.IMS_PER_BATCH", "2", "SOLVER.MAX_ITER", "1", "SOLVER.BASE_LR", "0.001", "MODEL.ROI_HEADS.BATCH_SIZE_PER_IMAGE", "32",
             "MODEL.RPN.PRE_NMS_TOP_N_TRAIN", "200", "MODEL.RPN.POST_NMS_TOP_N_TRAIN", "100", "MODEL.RPN.FPN_POST_NMS_TOP_N_TRAIN", "100",
             "SEED", "1"]);
        var log = new StringWriter();
        var result = new Trainer(cfg, new TrainingOptions(Resume: false, LogPeriod: 1), log).Run();
        Assert.Equal(1, result.Iteration);
        Assert.Contains("iter 1/1", log.ToString());
        Assert.True(File.Exists(result.CheckpointPath));
    }
}
