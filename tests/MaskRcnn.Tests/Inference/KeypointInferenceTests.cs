using System.Text.Json;
using System.Text.Json.Nodes;
using MaskRcnn.Data;
using MaskRcnn.Data.Coco;
using MaskRcnn.Data.Shapes;
using MaskRcnn.Engine;
using MaskRcnn.Evaluation;
using MaskRcnn.Inference;
using MaskRcnn.Tests.Engine;

namespace MaskRcnn.Tests.Inference;

/// <summary>Keypoints flow out of a (tiny, randomly initialised) Keypoint R-CNN: eval writes keypoints.json and scores it
/// as a keypoints file read back would be scored, the distributed codec carries them, predict writes them into
/// predictions.json. Random weights give random keypoints: structure and flow are tested here, values by hand-built
/// detections elsewhere.</summary>
[Collection(TrainingCollection.Name)]
public class KeypointInferenceTests : IClassFixture<KeypointInferenceTests.PersonVal>
{
    /// <summary>The shapes images as a person_keypoints file: every shape a person whose 17 keypoints are spread over its box.</summary>
    public sealed class PersonVal : IDisposable
    {
        public TempDir Dir { get; } = new();
        public string Catalog { get; }
        public string Annotations => Path.Combine(Dir.Path, "tiny", "person_keypoints.json");

        public PersonVal()
        {
            var root = Path.Combine(Dir.Path, "tiny");
            ShapesDatasetWriter.Write(root, images: 4, seed: 5, minSide: 64, maxSide: 96);
            var coco = JsonNode.Parse(File.ReadAllText(Path.Combine(root, "annotations.json")))!.AsObject();
            coco["categories"] = JsonNode.Parse("""[{"id": 1, "name": "person", "supercategory": "person"}]""");
            foreach (var a in coco["annotations"]!.AsArray())
            {
                var box = a!["bbox"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
                a["category_id"] = 1;
                a["num_keypoints"] = 17;
                a["keypoints"] = new JsonArray(Enumerable.Range(0, 17).SelectMany(k => new JsonNode?[]
                    { box[0] + box[2] * (k + 1) / 18, box[1] + box[3] * ((7 * k) % 17 + 1) / 18, 2 }).ToArray());
            }
            File.WriteAllText(Annotations, coco.ToJsonString());
            Catalog = Dir.File("catalog.yaml", "DATASETS:\n  person_val: {img_dir: tiny/images, ann_file: tiny/person_keypoints.json}\n");
        }

        public void Dispose() => Dir.Dispose();
    }

    readonly PersonVal data;
    public KeypointInferenceTests(PersonVal data) => this.data = data;

    /// <summary>The tiny model with a keypoint head in place of the mask head (narrow, 28 px heatmaps), for person + background.</summary>
    public static string[] KeypointOverrides =>
        ["MODEL.MASK_ON", "False", "MODEL.KEYPOINT_ON", "True", "MODEL.ROI_BOX_HEAD.NUM_CLASSES", "2",
         "MODEL.ROI_KEYPOINT_HEAD.CONV_LAYERS", "(64,)", "MODEL.ROI_KEYPOINT_HEAD.POOLER_RESOLUTION", "7",
         "MODEL.ROI_KEYPOINT_HEAD.RESOLUTION", "28", "MODEL.ROI_KEYPOINT_HEAD.POOLER_SAMPLING_RATIO", "2",
         "MODEL.ROI_KEYPOINT_HEAD.POOLER_SCALES", "(0.25, 0.125, 0.0625, 0.03125)", "MODEL.ROI_HEADS.DETECTIONS_PER_IMG", "5"];

    MaskRcnn.Config.MaskRcnnConfig Config(string outputDir, int imagesPerBatch = 3) =>
        TinyModel.Config([.. KeypointOverrides, "PATHS_CATALOG", data.Catalog, "DATASETS.TEST", "(\"person_val\",)", "OUTPUT_DIR", outputDir,
                          "TEST.IMS_PER_BATCH", imagesPerBatch.ToString()]);

    [Fact]
    public void EvalWritesKeypointsJsonAndScoresItAsTheFileReadsBack()
    {
        using var run = new TempDir();
        var cfg = Config(run.Path);
        using var predictor = TinyModel.Predictor(cfg);
        Assert.True(predictor.HasKeypoints);
        Assert.False(predictor.HasMasks);

        // One process's results, and the same through the distributed codec: identical, keypoints included.
        var dataset = CocoDetectionDataset.Open(DatasetCatalog.Create(data.Catalog).Get("person_val"), forTraining: false);
        var result = new DatasetInference(predictor, dataset).Run();
        Assert.Null(result.Segm);
        Assert.Equal(result.Bbox.Count, result.Keypoints!.Count);
        Assert.True(result.Keypoints.Count > 0);
        var joined = InferenceResultCodec.Join([InferenceResultCodec.Encode(result)]);
        Assert.Equal(result.Keypoints.Select(r => r with { Keypoints = null }), joined.Keypoints!.Select(r => r with { Keypoints = null }));
        Assert.Equal(result.Keypoints.SelectMany(r => r.Keypoints!), joined.Keypoints!.SelectMany(r => r.Keypoints!));
        Assert.All(result.Bbox, r => Assert.Null(r.Keypoints));
        Assert.All(result.Keypoints, r =>
        {
            Assert.Equal(51, r.Keypoints!.Length);
            Assert.All(r.Keypoints.Where((_, j) => j % 3 == 2), v => Assert.Equal(1.0, v));
            Assert.Equal(CocoResultsFile.KeypointExtent(r.Keypoints), r.Bbox);
        });

        var console = new StringWriter();
        var (name, evaluations) = Assert.Single(new TestRunner(cfg, console, liveProgress: false).Run(predictor));
        Assert.Equal("person_val", name);
        Assert.Equal([IouType.Bbox, IouType.Keypoints], evaluations.Select(e => e.IouType));
        var dir = Path.Combine(run.Path, "inference", "person_val");
        Assert.False(File.Exists(Path.Combine(dir, "segm.json")));
        Assert.Contains("Evaluate annotation type *keypoints*", console.ToString());
        Assert.Contains("Evaluate annotation type *keypoints*", File.ReadAllText(Path.Combine(dir, "coco_eval.txt")));
        using (var numbers = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "coco_eval.json"))))
            Assert.True(numbers.RootElement.GetProperty("keypoints").GetProperty("stats").TryGetProperty("AP", out _));

        // maskrcnn-benchmark's keypoints.json: image_id, category_id, keypoints, score; no box.
        using (var keypoints = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "keypoints.json"))))
        {
            var first = keypoints.RootElement[0];
            Assert.Equal(["image_id", "category_id", "score", "keypoints"], first.EnumerateObject().Select(p => p.Name));
        }
        using (var bbox = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "bbox.json"))))
            Assert.False(bbox.RootElement[0].TryGetProperty("keypoints", out _));
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
    public void ShardsCarryKeypointsJsonAndJoinedEqualOneWholeRun()
    {
        // One image per batch, so that both runs compute bit-identical detections.
        using var whole = new TempDir();
        using var sharded = new TempDir();
        var cfg = Config(whole.Path, imagesPerBatch: 1);
        IReadOnlyList<CocoEvaluation> expected;
        using (var predictor = TinyModel.Predictor(cfg))
            expected = new TestRunner(cfg, new StringWriter(), false).Run(predictor).Single().Evaluations;

        var shardCfg = Config(sharded.Path, imagesPerBatch: 1);
        var runner = new TestRunner(shardCfg, new StringWriter(), false);
        using (var predictor = TinyModel.Predictor(shardCfg))
            for (int i = 0; i < 2; i++) Assert.Empty(runner.Run(predictor, new Shard(i, 2)));
        Assert.True(File.Exists(Path.Combine(sharded.Path, "inference", "person_val", "shard_2_of_2", "keypoints.json")));
        var merged = runner.Merge(2).Single().Evaluations;

        Assert.Equal([IouType.Bbox, IouType.Keypoints], merged.Select(e => e.IouType));
        Assert.Equal(expected.Select(e => e.Stats), merged.Select(e => e.Stats));
        Assert.Equal(File.ReadAllText(Path.Combine(whole.Path, "inference", "person_val", "keypoints.json")),
                     File.ReadAllText(Path.Combine(sharded.Path, "inference", "person_val", "keypoints.json")));
    }

    [Fact]
    public void AKeypointModelNeedsKeypointAnnotationsBeforeItRuns()
    {
        using var run = new TempDir();
        var boxesOnly = Path.Combine(data.Dir.Path, "tiny", "annotations.json");
        var catalog = data.Dir.File("boxes_catalog.yaml", $"DATASETS:\n  boxes_val: {{img_dir: tiny/images, ann_file: tiny/annotations.json}}\n");
        var cfg = TinyModel.Config([.. KeypointOverrides, "PATHS_CATALOG", catalog, "DATASETS.TEST", "(\"boxes_val\",)", "OUTPUT_DIR", run.Path]);
        var error = Assert.Throws<DataException>(() => new TestRunner(cfg, new StringWriter(), false).CheckDatasets());
        Assert.StartsWith($"{boxesOnly}: annotation ", error.Message);
        Assert.Contains("keypoints evaluation (MODEL.KEYPOINT_ON)", error.Message);
    }

    [Fact]
    public void PredictionsJsonCarriesKeypointsTheirScoresAndTheSkeleton()
    {
        using var output = new TempDir();
        var cfg = Config(output.Path);
        using var predictor = TinyModel.Predictor(cfg);
        var images = Directory.GetFiles(Path.Combine(data.Dir.Path, "tiny", "images")).Order().Take(2)
            .Select(p => new ImageInput(p, Path.GetFileName(p))).ToList();
        var summary = new FolderPrediction(predictor, DetectionCategories.Generic(2), new FolderPredictionOptions(images, output.Path, ScoreThreshold: 0)).Run();
        Assert.Equal(2 * 5, summary.Detections);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, PredictionOutputs.PredictionsFileName)));
        var category = json.RootElement.GetProperty("categories")[0];
        Assert.Equal(17, category.GetProperty("keypoints").GetArrayLength());
        Assert.Equal([16, 14], category.GetProperty("skeleton")[0].EnumerateArray().Select(v => v.GetInt32()));
        var annotations = json.RootElement.GetProperty("annotations").EnumerateArray().ToList();
        Assert.Equal(10, annotations.Count);
        foreach (var a in annotations)
        {
            var keypoints = a.GetProperty("keypoints").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal(51, keypoints.Length);
            Assert.All(keypoints.Where((_, j) => j % 3 == 2), v => Assert.Equal(1.0, v));
            Assert.Equal(17, a.GetProperty("num_keypoints").GetInt32());
            Assert.Equal(17, a.GetProperty("keypoint_scores").GetArrayLength());
            Assert.True(a.TryGetProperty("bbox", out _));
        }
        // The whole file still loads as a COCO file whose annotations carry the keypoints.
        var coco = CocoFile.Load(Path.Combine(output.Path, PredictionOutputs.PredictionsFileName));
        Assert.All(coco.Annotations, a => Assert.Equal(51, a.Keypoints!.Length));
    }
}
