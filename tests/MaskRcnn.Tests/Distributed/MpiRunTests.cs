using System.Text.Json;
using MaskRcnn.Cli;
using MaskRcnn.Data.Shapes;
using MaskRcnn.SafeTensors;
using MaskRcnn.Tensors;
using MaskRcnn.Tests.Cli;
using MaskRcnn.Tests.Engine;
using MaskRcnn.Tests.Inference;

namespace MaskRcnn.Tests.Distributed;

/// <summary>
/// <c>mpiexec -n 2 maskrcnn …</c> against one process, on MPICH (installed by .ci/run; README says so). Training: a
/// batch of 4 split 2 + 2 gives the one-process run's losses and weights. Exactness needs what maskrcnn-benchmark's
/// per-process losses need to average to the whole batch's: equal sample counts per image (RPN and box-head samples of
/// fixed size; no mask loss, which is a mean over each process's positive RoIs) and equal padding (all images padded to
/// one size: GroupNorm sees the padding). After one step the weights agree to float summation order; from then on a
/// sampled RoI may differ where a score ties within that noise, so later losses agree more loosely. Eval: each rank's
/// slice at its share of TEST.IMS_PER_BATCH, joined by rank 0, scores exactly as one process at that batch size.
/// </summary>
[Collection(TrainingCollection.Name)]
public class MpiRunTests : IClassFixture<MpiRunTests.Setup>
{
    public sealed class Setup : IDisposable
    {
        public TempDir Dir { get; } = new();
        public string Catalog { get; }
        public string Checkpoint => Path.Combine(Dir.Path, "model.safetensors");

        public Setup()
        {
            ShapesDatasetWriter.Write(Path.Combine(Dir.Path, "train"), images: 16, seed: 21, minSide: 64, maxSide: 96);
            ShapesDatasetWriter.Write(Path.Combine(Dir.Path, "val"), images: 9, seed: 22, minSide: 64, maxSide: 96);
            Catalog = Dir.File("catalog.yaml", "DATASETS:\n  s_train: {img_dir: train/images, ann_file: train/annotations.json}\n" +
                                               "  s_val: {img_dir: val/images, ann_file: val/annotations.json}\n");
            TinyModel.SaveCheckpoint(Checkpoint);
        }

        public void Dispose() => Dir.Dispose();
    }

    static readonly string[] Mpiexec = ["mpiexec", "-n", "2"];
    readonly Setup setup;
    public MpiRunTests(Setup setup) => this.setup = setup;

    string[] Train(string outputDir) =>
        ["train", "--config", TinyModel.ConfigFile, "--skip-test", "--no-resume", "--log-period", "1", .. TinyModel.Overrides, "MODEL.MASK_ON", "False",
         "PATHS_CATALOG", setup.Catalog, "DATASETS.TRAIN", "(\"s_train\",)", "OUTPUT_DIR", outputDir,
         "INPUT.MIN_SIZE_TRAIN", "(64,)", "INPUT.MAX_SIZE_TRAIN", "96", "DATALOADER.SIZE_DIVISIBILITY", "96", "SOLVER.IMS_PER_BATCH", "4",
         "SOLVER.BASE_LR", "0.01", "SOLVER.WARMUP_ITERS", "1", "SOLVER.STEPS", "(1000,)", "SOLVER.MAX_ITER", "2", "SOLVER.CHECKPOINT_PERIOD", "1", "SEED", "3"];

    string[] Eval(string outputDir, int imagesPerBatch) =>
        ["eval", "--config", TinyModel.ConfigFile, "--weights", setup.Checkpoint, .. TinyModel.Overrides, "PATHS_CATALOG", setup.Catalog,
         "DATASETS.TEST", "(\"s_val\",)", "TEST.IMS_PER_BATCH", imagesPerBatch.ToString(), "OUTPUT_DIR", outputDir];

    static ToolProcess RunUnderMpiexec(string[] args)
    {
        var tool = ToolProcess.Start(args, Mpiexec);
        int code = tool.WaitForExit();
        Assert.True(code == 0, $"mpiexec -n 2 maskrcnn exited {code} (is MPICH installed? apt-get install mpich)\n{tool.Output}\n{tool.Errors}");
        return tool;
    }

    static int InProcess(string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = MaskRcnnCommandLine.Run(args, stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        return code;
    }

    static List<Dictionary<string, double>> Metrics(string dir) =>
        File.ReadLines(Path.Combine(dir, "metrics.jsonl"))
            .Select(line => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line)!)
            .Select(r => r.Where(kv => kv.Key.StartsWith("loss", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value.GetDouble()))
            .ToList();

    [Fact]
    public void TwoProcessesTrainAsOneWithTheWholeBatch()
    {
        using var one = new TempDir();
        using var two = new TempDir();
        InProcess(Train(one.Path));
        var tool = RunUnderMpiexec(Train(two.Path));

        var (single, split) = (Metrics(one.Path), Metrics(two.Path));
        Assert.Equal(2, split.Count); // rank 0's records only
        Assert.Equal(single[0].Keys.Order(), split[0].Keys.Order());
        foreach (var (name, value) in single[0]) Assert.True(Math.Abs(value - split[0][name]) <= 1e-5 * Math.Abs(value), $"iteration 1 {name}: {value} vs {split[0][name]}");
        foreach (var (name, value) in single[1]) Assert.True(Math.Abs(value - split[1][name]) <= 1e-2 * Math.Abs(value) + 1e-4, $"iteration 2 {name}: {value} vs {split[1][name]}");

        // The weights and momentum after the first step: the same gradients, summed in another order.
        using var a = SafeTensorsFile.Open(Path.Combine(one.Path, "model_0000001.safetensors"));
        using var b = SafeTensorsFile.Open(Path.Combine(two.Path, "model_0000001.safetensors"));
        Assert.Equal(a.Tensors.Select(t => t.Name).Order(), b.Tensors.Select(t => t.Name).Order());
        foreach (var name in a.Tensors.Select(t => t.Name))
        {
            using var x = a.Read(name);
            using var y = b.Read(name);
            if (x.dtype != TorchSharp.torch.ScalarType.Float32 || x.numel() == 0) continue;
            double scale = x.abs().max().item<float>(), diff = (x - y).abs().max().item<float>();
            Assert.True(diff <= 1e-4 * scale + 1e-7, $"{name}: differs by {diff} (largest value {scale})");
        }

        // One writer: one checkpoint set, one log whose lines are not doubled.
        Assert.Equal(["model_0000001.safetensors", "model_final.safetensors"],
            Directory.GetFiles(two.Path, "*.safetensors").Select(Path.GetFileName).Order());
        Assert.Single(File.ReadLines(Path.Combine(two.Path, "log.txt")), line => line.Contains("training R-18-FPN"));
        Assert.Contains("over 2 processes (2 images each per batch)", tool.Output);
    }

    [Fact]
    public void TwoProcessesEvaluateAsOne()
    {
        using var one = new TempDir();
        using var two = new TempDir();
        InProcess(Eval(one.Path, imagesPerBatch: 1));
        RunUnderMpiexec(Eval(two.Path, imagesPerBatch: 2));
        var (a, b) = (Path.Combine(one.Path, "inference", "s_val"), Path.Combine(two.Path, "inference", "s_val"));
        foreach (var file in new[] { "bbox.json", "segm.json" })
            Assert.True(File.ReadAllText(Path.Combine(a, file)) == File.ReadAllText(Path.Combine(b, file)), $"{file} differs");
        using var numbersA = JsonDocument.Parse(File.ReadAllText(Path.Combine(a, "coco_eval.json")));
        using var numbersB = JsonDocument.Parse(File.ReadAllText(Path.Combine(b, "coco_eval.json")));
        foreach (var iouType in new[] { "bbox", "segm" }) // every stat, per category and per IoU (the file also names its paths)
            Assert.Equal(numbersA.RootElement.GetProperty(iouType).GetRawText(), numbersB.RootElement.GetProperty(iouType).GetRawText());
        Assert.Equal(9, numbersB.RootElement.GetProperty("images").GetInt32());
        Assert.Empty(Directory.GetDirectories(b)); // no shard folders: rank 0 wrote the whole once
    }

    [Fact]
    public void TwoProcessesPredictAsOneAndRankZeroWritesTheJson()
    {
        using var one = new TempDir();
        using var two = new TempDir();
        string[] Predict(string output, int batch) =>
            ["predict", "--config", TinyModel.ConfigFile, "--weights", setup.Checkpoint, "--input", Path.Combine(setup.Dir.Path, "val", "images"),
             "--output", output, "--score-threshold", "0", .. TinyModel.Overrides, "TEST.IMS_PER_BATCH", batch.ToString()];
        InProcess(Predict(one.Path, 1));
        var tool = RunUnderMpiexec(Predict(two.Path, 2));
        Assert.Equal(File.ReadAllText(Path.Combine(one.Path, "predictions.json")), File.ReadAllText(Path.Combine(two.Path, "predictions.json")));
        Assert.Equal(Directory.GetFiles(one.Path).Select(Path.GetFileName).Order(), Directory.GetFiles(two.Path).Select(Path.GetFileName).Order());
        Assert.Contains("9 image", tool.Output);
    }

    [Fact]
    public void ABatchThatDoesNotSplitIsOneErrorAndTheJobEnds()
    {
        using var run = new TempDir();
        string[] args = [.. Train(run.Path).Select(a => a == "4" ? "3" : a)];
        var tool = ToolProcess.Start(args, Mpiexec);
        int code = tool.WaitForExit();
        Assert.True(code != 0 && tool.Errors.Contains("SOLVER.IMS_PER_BATCH 3 does not split over 2 processes"),
            $"exit {code}\noutput:\n{tool.Output}\nerrors:\n{tool.Errors}");
        Assert.False(File.Exists(Path.Combine(run.Path, "metrics.jsonl")));
    }
}
