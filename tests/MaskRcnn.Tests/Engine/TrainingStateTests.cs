using System.Text.Json;
using MaskRcnn.Checkpoint;
using MaskRcnn.Cli;
using MaskRcnn.Config;
using MaskRcnn.Engine;
using MaskRcnn.IO;
using MaskRcnn.SafeTensors;
using MaskRcnn.Solver;
using MaskRcnn.Tensors;
using MaskRcnn.Tests.IO;

namespace MaskRcnn.Tests.Engine;

/// <summary>What a training run does with the state it finds in OUTPUT_DIR and leaves there when things go wrong: weights
/// going non-finite, a full disk, a broken last_checkpoint, a config of another model, a torn metrics line, leftover
/// temporaries, another process on the folder.</summary>
[Collection(TrainingCollection.Name)]
public class TrainingStateTests : IClassFixture<TrainerSmokeTests.TinyShapes>
{
    readonly TrainerSmokeTests.TinyShapes data;
    public TrainingStateTests(TrainerSmokeTests.TinyShapes data) => this.data = data;

    string[] Overrides(string outputDir, int maxIter, params string[] extra) =>
        ["PATHS_CATALOG", data.Catalog, "DATASETS.TRAIN", "(\"tiny_train\",)", "DATASETS.TEST", "()", "OUTPUT_DIR", outputDir,
         "MODEL.RESNETS.BACKBONE_OUT_CHANNELS", "64", "MODEL.ROI_BOX_HEAD.MLP_HEAD_DIM", "64", "MODEL.ROI_MASK_HEAD.CONV_LAYERS", "(64,)",
         "MODEL.ROI_MASK_HEAD.RESOLUTION", "14", "MODEL.ROI_MASK_HEAD.POOLER_RESOLUTION", "7",
         "INPUT.MIN_SIZE_TRAIN", "(64,)", "INPUT.MAX_SIZE_TRAIN", "96", "DATALOADER.NUM_WORKERS", "0",
         "SOLVER.IMS_PER_BATCH", "2", "SOLVER.BASE_LR", "0.01", "SOLVER.WARMUP_ITERS", "2", "SOLVER.STEPS", "(100,)",
         "SOLVER.MAX_ITER", maxIter.ToString(), "SOLVER.CHECKPOINT_PERIOD", "2", "SEED", "3", .. extra];

    static string ConfigFile => Path.Combine(TestPaths.Configs, "shapes", "mask_rcnn_R_18_FPN_gn.yaml");

    MaskRcnnConfig Config(string outputDir, int maxIter, params string[] extra) => ConfigLoader.Load(ConfigFile, Overrides(outputDir, maxIter, extra));

    static TrainingResult Train(MaskRcnnConfig cfg, TextWriter? console = null, bool resume = true) =>
        new Trainer(cfg, new TrainingOptions(resume, LogPeriod: 1), console ?? new StringWriter()).Run();

    static string Pointer(string dir) => File.ReadAllText(Path.Combine(dir, Checkpointer.LastCheckpointFileName)).Trim();

    (int Code, string Out, string Err) Cli(string outputDir, int maxIter, params string[] extra)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var code = MaskRcnnCommandLine.Run(["train", "--config", ConfigFile, "--log-period", "1", .. Overrides(outputDir, maxIter, extra)], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void WeightsGoingNonFiniteAfterAStepStopTrainingAndNoCheckpointHoldsThem()
    {
        using var run = new TempDir();
        // From iteration 1 on the learning rate is infinite: the loss computed before that step is finite, the weights after it are not.
        var cfg = Config(run.Path, 6, "SOLVER.STEPS", "(2,)", "SOLVER.GAMMA", "1e400", "SOLVER.CHECKPOINT_PERIOD", "1");
        var e = Assert.Throws<TrainingDivergedException>(() => Train(cfg));
        Assert.StartsWith("iteration 1: parameter ", e.Message);
        Assert.Contains("holds NaN or infinity after the step", e.Message);
        Assert.Contains("model_0000001.safetensors, is intact", e.Message);
        Assert.Equal("model_0000001.safetensors", Pointer(run.Path));
        Assert.False(File.Exists(Path.Combine(run.Path, "model_0000002.safetensors")));
        using var saved = SafeTensorsFile.Load(Path.Combine(run.Path, "model_0000001.safetensors"));
        Assert.Null(NonFinite.First(saved.Where(kv => kv.Value.is_floating_point()).Select(kv => (kv.Key, kv.Value))));
    }

    [Fact]
    public void AFullDiskIsOneLineAndTheNextRunResumes()
    {
        using var run = new TempDir();
        (int, string, string) result;
        using (AtomicFile.InterceptWrites((path, stream) =>
                   Path.GetFileName(path) == "model_0000002.safetensors" ? new FullDiskStream(stream, bytesFree: 4096) : stream))
            result = Cli(run.Path, 3, "--skip-test", "SOLVER.CHECKPOINT_PERIOD", "1");
        var (code, _, err) = result;
        Assert.Equal(1, code);
        var line = Assert.Single(err.Trim().Split('\n'));
        Assert.StartsWith($"maskrcnn: error: no space left on OUTPUT_DIR {run.Path} while writing model_0000002.safetensors", line);
        Assert.Contains($"last_checkpoint still names {Path.Combine(run.Path, "model_0000001.safetensors")}, which is complete", line);
        Assert.Equal("model_0000001.safetensors", Pointer(run.Path));
        Assert.DoesNotContain(Directory.GetFiles(run.Path), f => f.EndsWith(".tmp"));

        var (again, output, _) = Cli(run.Path, 3, "--skip-test", "SOLVER.CHECKPOINT_PERIOD", "1");
        Assert.Equal(0, again);
        Assert.Contains("at iteration 1", output);
        Assert.Equal("model_final.safetensors", Pointer(run.Path));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\0\0\0\0")]
    [InlineData(null)] // a folder where the file should be: unreadable
    public void ABrokenLastCheckpointIsRefusedNotAFreshStart(string? content)
    {
        using var run = new TempDir();
        run.File("model_0000002.safetensors", "a checkpoint (never read: the pointer is refused first)");
        run.File("model_0000001.safetensors", "an older one");
        File.SetLastWriteTimeUtc(Path.Combine(run.Path, "model_0000001.safetensors"), DateTime.UtcNow.AddHours(-1));
        var pointer = Path.Combine(run.Path, Checkpointer.LastCheckpointFileName);
        if (content is null) Directory.CreateDirectory(pointer);
        else File.WriteAllText(pointer, content);
        var before = Directory.GetFiles(run.Path).ToDictionary(f => f, File.GetLastWriteTimeUtc);

        var (code, output, err) = Cli(run.Path, 4, "--skip-test");
        Assert.Equal(2, code);
        var line = Assert.Single(err.Trim().Split('\n'));
        Assert.StartsWith($"maskrcnn: error: {pointer} ", line);
        Assert.Contains("--no-resume", line);
        Assert.Contains("the newest here is model_0000002.safetensors", line);
        Assert.DoesNotContain("iter ", output);
        foreach (var (file, written) in before) Assert.Equal(written, File.GetLastWriteTimeUtc(file)); // nothing rewritten
        Assert.Equal(2, Directory.GetFiles(run.Path, "model_*").Length);
    }

    [Fact]
    public void ResumingWithAConfigOfAnotherModelIsRefusedAndLeavesConfigYaml()
    {
        using var run = new TempDir();
        Train(Config(run.Path, 1));
        var configYaml = File.ReadAllText(Path.Combine(run.Path, "config.yaml"));
        // Same parameter shapes, other anchors: the weights would load, and be trained on as another model.
        var e = Assert.Throws<RunStateException>(() => Train(Config(run.Path, 2, "MODEL.RPN.ASPECT_RATIOS", "(0.25, 1.0, 4.0)", "SOLVER.BASE_LR", "0.02")));
        Assert.Contains("model_final.safetensors is a checkpoint of another model (MODEL.RPN.ASPECT_RATIOS [0.5, 1.0, 2.0] in the checkpoint, [0.25, 1.0, 4.0] now)", e.Message);
        Assert.Contains("--no-resume", e.Message);
        // Other classes: refused by the same check, before any weight is loaded.
        e = Assert.Throws<RunStateException>(() => Train(Config(run.Path, 2, "MODEL.ROI_BOX_HEAD.NUM_CLASSES", "9")));
        Assert.Contains("MODEL.ROI_BOX_HEAD.NUM_CLASSES 4 in the checkpoint, 9 now", e.Message);
        Assert.Equal(configYaml, File.ReadAllText(Path.Combine(run.Path, "config.yaml")));
        // Where it runs and the inference thresholds may change; so may the solver.
        Assert.Equal(2, Train(Config(run.Path, 2, "MODEL.DEVICE", "cpu", "MODEL.ROI_HEADS.SCORE_THRESH", "0.3", "SOLVER.BASE_LR", "0.005")).Iteration);
    }

    [Fact]
    public void OnlyTheNewestPeriodicCheckpointsAndFinalAreKept()
    {
        using var run = new TempDir();
        Train(Config(run.Path, 4, "SOLVER.CHECKPOINTS_TO_KEEP", "2", "SOLVER.CHECKPOINT_PERIOD", "1"));
        Assert.Equal(["model_0000002.safetensors", "model_0000003.safetensors", "model_final.safetensors"],
            Directory.GetFiles(run.Path, "model_*").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ATornMetricsLineIsSkippedWithANote()
    {
        using var run = new TempDir();
        Train(Config(run.Path, 1));
        var metrics = Path.Combine(run.Path, "metrics.jsonl");
        File.AppendAllText(metrics, "{\"iteration\": 2, \"lr\": 0.01, \"lo"); // killed mid-write: no newline
        var console = new StringWriter();
        var result = Train(Config(run.Path, 2), console);
        Assert.Equal(2, result.Iteration);
        Assert.Contains("metrics.jsonl ended in a torn line", console.ToString());
        Assert.Contains($"{metrics}:2: not a metrics record", console.ToString());
        var lines = File.ReadAllLines(metrics);
        Assert.Equal(3, lines.Length); // a record, the torn line, a record
        foreach (var line in lines.Where((_, i) => i != 1)) JsonDocument.Parse(line).Dispose();
        Assert.True(File.Exists(Path.Combine(run.Path, "loss.png")));
    }

    [Fact]
    public void StaleTemporariesOfAnInterruptedSaveAreRemovedAtStart()
    {
        using var run = new TempDir();
        var stale = run.File($".model_0000004.safetensors.{int.MaxValue}.{Guid.NewGuid():N}.tmp", "half a checkpoint");
        var mine = run.File(".notes.tmp", "the user's");
        var console = new StringWriter();
        Train(Config(run.Path, 1), console);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(mine));
        Assert.Contains($"removed 1 unfinished temporary file(s) of an interrupted save: {Path.GetFileName(stale)}", console.ToString());
    }

    [Fact]
    public void ASecondTrainingOnTheSameOutputDirIsRefusedWithTheFirstOnesPid()
    {
        using var run = new TempDir();
        using (RunLock.Acquire(run.Path))
        {
            var (code, _, err) = Cli(run.Path, 1, "--skip-test");
            Assert.Equal(2, code);
            Assert.Contains($"OUTPUT_DIR {run.Path} is in use by another maskrcnn train (pid {Environment.ProcessId}, lock {Path.Combine(run.Path, RunLock.FileName)})", err);
            Assert.False(File.Exists(Path.Combine(run.Path, "config.yaml")));
        }
        Assert.Equal(1, Train(Config(run.Path, 1)).Iteration); // released: the lock file left behind does not hold the folder
        Assert.True(File.Exists(Path.Combine(run.Path, RunLock.FileName)));
    }
}
