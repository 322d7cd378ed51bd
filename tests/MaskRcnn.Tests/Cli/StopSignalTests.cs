using System.Collections.Concurrent;
using System.Diagnostics;
using MaskRcnn.Checkpoint;
using MaskRcnn.Cli;
using MaskRcnn.Data.Shapes;
using MaskRcnn.Engine;
using MaskRcnn.Tests.Engine;
using MaskRcnn.Tests.Inference;

namespace MaskRcnn.Tests.Cli;

/// <summary>The real tool in its own process, stopped by the signals a terminal, docker, Kubernetes or Slurm send:
/// train checkpoints and says how to resume, eval writes no partial results, predict writes what it did; each exits
/// with 128 + the signal's number. A killed run leaves no lock behind.</summary>
[Collection(TrainingCollection.Name)]
public class StopSignalTests : IClassFixture<StopSignalTests.Setup>
{
    const int SigInt = 2, SigTerm = 15;

    public sealed class Setup : IDisposable
    {
        public TempDir Dir { get; } = new();
        public string Catalog { get; }
        public string Checkpoint => Path.Combine(Dir.Path, "model.safetensors");
        public string Images => Path.Combine(Dir.Path, "many", "images");

        public Setup()
        {
            ShapesDatasetWriter.Write(Path.Combine(Dir.Path, "tiny"), images: 8, seed: 9, minSide: 64, maxSide: 96);
            // Enough images that inference is still running when the signal comes, even when the test process is starved
            // by parallel test classes and reads the tool's output late (100 were too few in a busy suite).
            ShapesDatasetWriter.Write(Path.Combine(Dir.Path, "many"), images: 400, seed: 4, minSide: 64, maxSide: 72);
            Catalog = Dir.File("catalog.yaml", "DATASETS:\n  tiny_train: {img_dir: tiny/images, ann_file: tiny/annotations.json}\n" +
                                               "  many_val: {img_dir: many/images, ann_file: many/annotations.json}\n");
            TinyModel.SaveCheckpoint(Checkpoint);
        }

        public void Dispose() => Dir.Dispose();
    }

    readonly Setup setup;
    public StopSignalTests(Setup setup) => this.setup = setup;

    string[] TrainArgs(string outputDir, int maxIter) =>
        ["train", "--config", TinyModel.ConfigFile, "--skip-test", "--log-period", "1", .. TinyModel.Overrides,
         "PATHS_CATALOG", setup.Catalog, "DATASETS.TRAIN", "(\"tiny_train\",)", "OUTPUT_DIR", outputDir,
         "INPUT.MIN_SIZE_TRAIN", "(64,)", "INPUT.MAX_SIZE_TRAIN", "96", "SOLVER.IMS_PER_BATCH", "2", "SOLVER.BASE_LR", "0.01",
         "SOLVER.WARMUP_ITERS", "2", "SOLVER.STEPS", "(1000,)", "SOLVER.MAX_ITER", maxIter.ToString(), "SOLVER.CHECKPOINT_PERIOD", "1000", "SEED", "3"];

    [Fact]
    public void SigtermStopsTrainingWithACheckpointAndTheWayToResume()
    {
        using var run = new TempDir();
        using var tool = ToolProcess.Start(TrainArgs(run.Path, 1000));
        tool.WaitFor(line => line.StartsWith("iter 1/1000"));
        // Meanwhile the folder is the running process's: a second train is refused naming it.
        var refused = Assert.Throws<RunStateException>(() => RunLock.Acquire(run.Path));
        Assert.Contains($"(pid {tool.Pid},", refused.Message);

        tool.Signal(SigTerm);
        Assert.Equal(128 + SigTerm, tool.WaitForExit());
        var output = tool.Output;
        Assert.Contains("SIGTERM: stopping after this iteration, with a checkpoint (SIGTERM again to abort)", output);
        var checkpoint = Path.Combine(run.Path, File.ReadAllText(Path.Combine(run.Path, Checkpointer.LastCheckpointFileName)).Trim());
        Assert.True(File.Exists(checkpoint), checkpoint);
        Assert.Contains($"checkpoint {checkpoint}; run the same command again to resume", output);
        Assert.Equal("", tool.Errors);

        long done = long.Parse(MaskRcnn.SafeTensors.SafeTensorsFile.Open(checkpoint) is var file && file.Metadata.TryGetValue("iteration", out var it) ? it : "-1");
        file.Dispose();
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, MaskRcnnCommandLine.Run(TrainArgs(run.Path, (int)done + 1), stdout, stderr));
        Assert.Contains($"resuming from {checkpoint} at iteration {done}", stdout.ToString());
    }

    [Fact]
    public void AKilledTrainingLeavesNoLockBehind()
    {
        using var run = new TempDir();
        using (var tool = ToolProcess.Start(TrainArgs(run.Path, 1000)))
        {
            tool.WaitFor(line => line.StartsWith("iter 1/1000"));
            Assert.Throws<RunStateException>(() => RunLock.Acquire(run.Path));
            tool.Kill(); // SIGKILL: no handler runs, the kernel drops the lock
            tool.WaitForExit();
        }
        Assert.True(File.Exists(Path.Combine(run.Path, RunLock.FileName)));
        using var taken = RunLock.Acquire(run.Path);
    }

    [Fact]
    public void CtrlCStopsEvalBetweenBatchesWithoutWritingPartialResults()
    {
        using var run = new TempDir();
        using var tool = ToolProcess.Start(["eval", "--config", TinyModel.ConfigFile, "--weights", setup.Checkpoint, .. TinyModel.Overrides,
            "PATHS_CATALOG", setup.Catalog, "DATASETS.TEST", "(\"many_val\",)", "TEST.IMS_PER_BATCH", "1", "OUTPUT_DIR", run.Path]);
        tool.WaitFor(line => line.StartsWith("inference on many_val"));
        tool.Signal(SigInt);
        Assert.Equal(128 + SigInt, tool.WaitForExit());
        Assert.Contains("Ctrl-C: stopping after this batch; no results are written for the unfinished dataset (Ctrl-C again to abort)", tool.Output);
        Assert.Contains("eval stopped by Ctrl-C before the end", tool.Output);
        Assert.Equal("", tool.Errors);
        var dir = Path.Combine(run.Path, "inference", "many_val");
        Assert.False(File.Exists(Path.Combine(dir, "bbox.json")));
        Assert.False(File.Exists(Path.Combine(dir, "coco_eval.json")));
    }

    [Fact]
    public void SigtermStopsPredictAfterTheBatchAndKeepsWhatItDid()
    {
        using var output = new TempDir();
        using var tool = ToolProcess.Start(["predict", "--config", TinyModel.ConfigFile, "--weights", setup.Checkpoint, "--input", setup.Images,
            "--output", output.Path, .. TinyModel.Overrides, "TEST.IMS_PER_BATCH", "1"]);
        tool.WaitFor(line => line.StartsWith("predicting 400 image(s)"));
        tool.Signal(SigTerm);
        Assert.Equal(128 + SigTerm, tool.WaitForExit());
        Assert.Contains("SIGTERM: stopping after this batch", tool.Output);
        Assert.Contains("stopped early: ", tool.Output);
        Assert.DoesNotContain("error", tool.Errors);
        using var predictions = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "predictions.json")));
        Assert.InRange(predictions.RootElement.GetProperty("images").GetArrayLength(), 0, 399);
    }
}
