using System.Text.Json;
using MaskRcnn.Data.Coco;
using MaskRcnn.Data.Shapes;
using MaskRcnn.Engine;
using MaskRcnn.Evaluation;
using MaskRcnn.Inference;
using MaskRcnn.Tests.Inference;

namespace MaskRcnn.Tests.Engine;

/// <summary>Model-mode evaluation: results and reports land in OUTPUT_DIR/inference/&lt;dataset&gt;/, the in-memory
/// evaluation equals scoring the written files, and shards joined equal one whole run.</summary>
[Collection(TrainingCollection.Name)]
public class TestRunnerTests : IClassFixture<TestRunnerTests.TinyVal>
{
    public sealed class TinyVal : IDisposable
    {
        public TempDir Dir { get; } = new();
        public string Catalog { get; }
        public TinyVal()
        {
            ShapesDatasetWriter.Write(Path.Combine(Dir.Path, "tiny"), images: 7, seed: 4, minSide: 64, maxSide: 96);
            Catalog = Dir.File("catalog.yaml", "DATASETS:\n  tiny_val: {img_dir: tiny/images, ann_file: tiny/annotations.json}\n");
        }
        public string Annotations => Path.Combine(Dir.Path, "tiny", "annotations.json");
        public void Dispose() => Dir.Dispose();
    }

    readonly TinyVal data;
    public TestRunnerTests(TinyVal data) => this.data = data;

    MaskRcnn.Config.MaskRcnnConfig Config(string outputDir, int imagesPerBatch = 3) =>
        TinyModel.Config("PATHS_CATALOG", data.Catalog, "DATASETS.TEST", "(\"tiny_val\",)", "OUTPUT_DIR", outputDir,
                         "TEST.IMS_PER_BATCH", imagesPerBatch.ToString());

    [Fact]
    public void WritesResultsAndReportsThatEqualScoringTheFiles()
    {
        using var run = new TempDir();
        var cfg = Config(run.Path);
        using var predictor = TinyModel.Predictor(cfg);
        var console = new StringWriter();
        var outcome = new TestRunner(cfg, console, liveProgress: false).Run(predictor);
        var (dataset, evaluations) = Assert.Single(outcome);
        Assert.Equal("tiny_val", dataset);
        Assert.Equal([IouType.Bbox, IouType.Segm], evaluations.Select(e => e.IouType));
        var dir = Path.Combine(run.Path, "inference", "tiny_val");
        foreach (var file in new[] { "bbox.json", "segm.json", "coco_eval.txt", "coco_eval.json" })
            Assert.True(File.Exists(Path.Combine(dir, file)), file);
        Assert.Contains("Evaluate annotation type *segm*", File.ReadAllText(Path.Combine(dir, "coco_eval.txt")));
        Assert.Contains("tiny_val: 7/7 images", console.ToString());

        // maskrcnn-benchmark's file layout: boxes in bbox.json, masks without boxes in segm.json.
        using (var segm = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "segm.json"))))
        {
            Assert.True(segm.RootElement.GetArrayLength() > 0);
            Assert.False(segm.RootElement[0].TryGetProperty("bbox", out _));
        }
        // Scoring the written files alone (as pycocotools would read them) gives the same numbers.
        var gt = CocoFile.Load(data.Annotations);
        foreach (var e in evaluations)
        {
            var fromFile = CocoEvaluator.Evaluate(gt, CocoResultsFile.Load(Path.Combine(dir, $"{e.IouType.Name()}.json"), gt), e.IouType);
            Assert.Equal(fromFile.Stats, e.Stats);
            Assert.Equal(fromFile.Precision, e.Precision);
        }
    }

    [Fact]
    public void ShardsJoinedEqualOneWholeRun()
    {
        // One image per batch, so that both runs pad every image alike and compute bit-identical detections.
        using var whole = new TempDir();
        using var sharded = new TempDir();
        var cfg = Config(whole.Path, imagesPerBatch: 1);
        using var predictor = TinyModel.Predictor(cfg);
        var expected = new TestRunner(cfg, new StringWriter(), false).Run(predictor).Single().Evaluations;

        var shardCfg = Config(sharded.Path, imagesPerBatch: 1);
        var runner = new TestRunner(shardCfg, new StringWriter(), false);
        using (var shardPredictor = TinyModel.Predictor(shardCfg))
            for (int i = 0; i < 3; i++) Assert.Empty(runner.Run(shardPredictor, new Shard(i, 3)));
        Assert.True(File.Exists(Path.Combine(sharded.Path, "inference", "tiny_val", "shard_2_of_3", "bbox.json")));
        Assert.False(File.Exists(Path.Combine(sharded.Path, "inference", "tiny_val", "bbox.json")));
        var merged = runner.Merge(3).Single().Evaluations;

        Assert.Equal(expected.Select(e => e.Stats), merged.Select(e => e.Stats));
        foreach (var name in new[] { "bbox.json", "segm.json" })
            Assert.Equal(File.ReadAllText(Path.Combine(whole.Path, "inference", "tiny_val", name)),
                         File.ReadAllText(Path.Combine(sharded.Path, "inference", "tiny_val", name)));
    }

    [Fact]
    public void MergingWithAShardMissingNamesIt()
    {
        using var run = new TempDir();
        var cfg = Config(run.Path);
        var runner = new TestRunner(cfg, new StringWriter(), false);
        using (var predictor = TinyModel.Predictor(cfg))
            runner.Run(predictor, new Shard(0, 2));
        var error = Assert.Throws<DataException>(() => runner.Merge(2));
        Assert.Contains("shard 1 of 2 is missing", error.Message);
        Assert.Contains("--shard 2/2", error.Message);
    }
}
