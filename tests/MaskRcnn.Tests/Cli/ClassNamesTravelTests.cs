using System.Text.Json;
using MaskRcnn.Checkpoint;
using MaskRcnn.Data.Shapes;
using MaskRcnn.Tests.Engine;
using MaskRcnn.Tests.Inference;
using static MaskRcnn.Tests.Cli.CliRun;

namespace MaskRcnn.Tests.Cli;

/// <summary>Class names travel with the weights: a model trained here records its dataset's categories in its
/// checkpoints, predict names detections from them when the dataset is gone, eval warns when the dataset it scores has
/// other names, and concatenated datasets that disagree on names leave checkpoints without any.</summary>
[Collection(TrainingCollection.Name)]
public class ClassNamesTravelTests : IClassFixture<ClassNamesTravelTests.TrainedRun>
{
    /// <summary>Two iterations of the tiny model on a tiny shapes set (square 1, circle 2, triangle 3), through the train verb.</summary>
    public sealed class TrainedRun : IDisposable
    {
        public TempDir Dir { get; } = new();
        public string Catalog { get; }
        public string RunDir => Path.Combine(Dir.Path, "run");
        public string Final => Path.Combine(RunDir, Checkpointer.FinalFileName);

        public TrainedRun()
        {
            ShapesDatasetWriter.Write(Path.Combine(Dir.Path, "tiny"), images: 4, seed: 9, minSide: 64, maxSide: 80);
            // The same images with circle called disc: the same ids, another name.
            Dir.File("renamed.json", File.ReadAllText(Path.Combine(Dir.Path, "tiny", "annotations.json")).Replace("\"name\":\"circle\"", "\"name\":\"disc\""));
            Catalog = Dir.File("catalog.yaml", "DATASETS:\n  tiny_train: {img_dir: tiny/images, ann_file: tiny/annotations.json}\n" +
                                               "  tiny_renamed: {img_dir: tiny/images, ann_file: renamed.json}\n");
            TrainVerb(RunDir, "(\"tiny_train\",)", 2);
        }

        /// <summary>Trains into <paramref name="output"/>; returns what it printed.</summary>
        public string TrainVerb(string output, string datasets, int iterations)
        {
            var (code, stdout, stderr) = CliRun.Run(["train", "--config", TinyModel.ConfigFile, "--skip-test", .. TinyModel.Overrides,
                "PATHS_CATALOG", Catalog, "DATASETS.TRAIN", datasets, "OUTPUT_DIR", output,
                "INPUT.MIN_SIZE_TRAIN", "(64,)", "INPUT.MAX_SIZE_TRAIN", "96", "SOLVER.IMS_PER_BATCH", "2", "SOLVER.BASE_LR", "0.01",
                "SOLVER.WARMUP_ITERS", "1", "SOLVER.MAX_ITER", iterations.ToString(), "SOLVER.CHECKPOINT_PERIOD", "1", "SEED", "3"]);
            Assert.True(code == 0, stderr);
            return stdout;
        }

        public void Dispose() => Dir.Dispose();
    }

    readonly TrainedRun run;
    public ClassNamesTravelTests(TrainedRun run) => this.run = run;

    static readonly CheckpointCategory[] Shapes = [new(1, "square"), new(2, "circle"), new(3, "triangle")];

    [Fact]
    public void EveryCheckpointRecordsTheTrainingSetsCategories()
    {
        Assert.Equal(Shapes, CheckpointCategories.ReadFile(Path.Combine(run.RunDir, Checkpointer.FileNameFor(1))));
        Assert.Equal(Shapes, CheckpointCategories.ReadFile(run.Final));
    }

    [Fact]
    public void PredictNamesDetectionsFromTheCheckpointWhenTheDatasetIsGone()
    {
        using var output = new TempDir();
        var image = Directory.GetFiles(Path.Combine(run.Dir.Path, "tiny", "images")).Order(StringComparer.Ordinal).First();
        var (code, stdout, stderr) = Run(["predict", "--config", TinyModel.ConfigFile, "--weights", run.Final, "--input", image, "--output", output.Path,
            "--score-threshold", "0", .. TinyModel.Overrides, "PATHS_CATALOG", run.Catalog, "DATASETS.TEST", "(\"nope_val\",)"]);
        Assert.True(code == 0, stderr);
        Assert.Equal("", stderr);
        Assert.Contains($"classes: 3 from checkpoint {run.Final}\n", stdout);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "predictions.json")));
        Assert.Equal([(1L, "square"), (2L, "circle"), (3L, "triangle")],
            json.RootElement.GetProperty("categories").EnumerateArray().Select(c => (c.GetProperty("id").GetInt64(), c.GetProperty("name").GetString())));
        Assert.NotEqual(0, json.RootElement.GetProperty("annotations").GetArrayLength());
    }

    [Fact]
    public void EvalOnADatasetWithOtherNamesWarnsOnceAndScoresByItsIds()
    {
        using var output = new TempDir();
        string[] Args(string dataset) => ["eval", "--config", TinyModel.ConfigFile, "--weights", run.Final, .. TinyModel.Overrides,
            "PATHS_CATALOG", run.Catalog, "DATASETS.TEST", $"(\"{dataset}\",)", "OUTPUT_DIR", output.Path];
        var (code, stdout, stderr) = Run(Args("tiny_renamed"));
        Assert.True(code == 0, stderr);
        var warning = $"warning: checkpoint {run.Final} was trained on other categories than dataset tiny_renamed has (label 2 is id 2 'circle' in the " +
                      "checkpoint, id 2 'disc' in the dataset; 3 vs 3 categories); results take tiny_renamed's category ids, as its ground truth defines them\n";
        Assert.Single(stdout.Split('\n'), line => line + "\n" == warning);
        Assert.True(File.Exists(Path.Combine(output.Path, "inference", "tiny_renamed", "coco_eval.json")));

        (code, stdout, stderr) = Run(Args("tiny_train"));
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("warning", stdout);
    }

    [Fact]
    public void DatasetsThatDisagreeOnNamesLeaveTheCheckpointWithoutNames()
    {
        using var output = new TempDir();
        var stdout = run.TrainVerb(output.Path, "(\"tiny_train\", \"tiny_renamed\")", 1);
        Assert.Contains("note: category id 2 is 'circle' in tiny_train but 'disc' in tiny_renamed; checkpoints will carry no class names " +
                        "(predict --classes FILE names them)", stdout);
        Assert.Null(CheckpointCategories.ReadFile(Path.Combine(output.Path, Checkpointer.FinalFileName)));
    }
}
