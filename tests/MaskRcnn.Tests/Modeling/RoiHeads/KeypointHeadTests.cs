using System.Text.Json;
using MaskRcnn.Config;
using MaskRcnn.Data.Shapes;
using MaskRcnn.Engine;
using MaskRcnn.Modeling;
using MaskRcnn.Modeling.RoiHeads.Keypoint;
using MaskRcnn.SafeTensors;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Keypoints;
using MaskRcnn.Tests.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling.RoiHeads;

/// <summary>The keypoint head in the RoI heads: which sampled RoIs it learns from (maskrcnn-benchmark's rule), what it
/// adds to detections, and the keypoint zoo config and the shapes recipe training two iterations on tiny data.</summary>
[Collection(TrainingCollection.Name)] // building models draws on torch's global generator
public sealed class KeypointHeadTests : IClassFixture<KeypointHeadTests.TinyKeypointShapes>
{
    public sealed class TinyKeypointShapes : IDisposable
    {
        public TempDir Dir { get; } = new();
        public string Catalog { get; }
        public TinyKeypointShapes()
        {
            ShapesDatasetWriter.Write(Path.Combine(Dir.Path, "tiny"), images: 8, seed: 9, minSide: 64, maxSide: 96, keypoints: true);
            Catalog = Dir.File("catalog.yaml", "DATASETS:\n  tiny_kp_train: {img_dir: tiny/images, ann_file: tiny/annotations.json}\n");
        }
        public void Dispose() => Dir.Dispose();
    }

    const string Prefix = "roi_heads.keypoint.";
    readonly TinyKeypointShapes data;
    public KeypointHeadTests(TinyKeypointShapes data) => this.data = data;

    // One feature level at scale 1, 2×2 pooling, one conv: heatmaps are 4 × 2 = 8 cells a side.
    static KeypointHead SmallHead()
    {
        torch.manual_seed(5);
        return new KeypointHead(new KeypointFeatureExtractor(4, 2, [1.0], 2, [3]), new KeypointPredictor(3, 17), 8);
    }

    static Tensor Points(params (float X, float Y, float V)[] labelled)
    {
        var values = new float[17 * 3];
        for (int k = 0; k < labelled.Length; k++) (values[3 * k], values[3 * k + 1], values[3 * k + 2]) = labelled[k];
        return torch.tensor(values, [1, 17, 3]);
    }

    [Fact]
    public void LearnsFromForegroundRoisWhoseGroundTruthHasALabelledKeypointInsideItsBox()
    {
        using var scope = torch.NewDisposeScope();
        var head = SmallHead();
        var size = new ImageSize(16, 16);
        var features = new[] { torch.randn(1, 4, 16, 16, generator: new Generator(1)) };
        // gt 0 and 1 have a labelled keypoint inside their boxes; gt 2's only labelled keypoint lies outside its box.
        var gtBoxes = torch.tensor(new float[] { 1, 1, 8, 8, 6, 6, 14, 14, 2, 2, 6, 6 }, [3, 4]);
        var gtKeypoints = torch.cat([Points((4, 5, 2)), Points((10, 9, 1), (7, 7, 0)), Points((12, 12, 2))], 0);
        var target = new BoxList(gtBoxes, size).With(BoxFields.Labels, torch.tensor(new long[] { 1, 2, 1 }))
            .With(BoxFields.Keypoints, new PersonKeypoints(gtKeypoints, size));
        var rois = torch.tensor(new float[] { 1, 1, 9, 9, 0, 0, 15, 15, 5, 5, 14, 13, 2, 1, 7, 6 }, [4, 4]);
        var sampled = new BoxList(rois, size).With(BoxFields.Labels, torch.tensor(new long[] { 1, 0, 2, 1 }))
            .With(BoxFields.MatchedIndices, torch.tensor(new long[] { 0, 1, 1, 2 }));

        var loss = head.Loss(features, [sampled], [target], null);

        // RoI 0 (gt 0) and RoI 2 (gt 1) only: RoI 1 is background, RoI 3's gt has no labelled keypoint in its box.
        var chosen = rois.index_select(0, torch.tensor(new long[] { 0, 2 }));
        var extractor = (KeypointFeatureExtractor)head.named_children().Single(c => c.name == "feature_extractor").module;
        var predictor = (KeypointPredictor)head.named_children().Single(c => c.name == "predictor").module;
        var logits = predictor.forward(extractor.forward(features, [chosen]));
        var (heatmaps, valid) = KeypointHeatmapTargets.Project(gtKeypoints.index_select(0, torch.tensor(new long[] { 0, 1 })), chosen, 8);
        Assert.Equal(2L, valid.sum().item<long>()); // gt 0's keypoint, gt 1's hidden (v 1) one; not its unlabelled one
        Assert.Equal(KeypointLoss.Compute(logits, heatmaps, valid).item<float>(), loss.item<float>(), 6);
        Assert.True(loss.requires_grad);
    }

    [Fact]
    public void WithNothingToLearnTheLossIsAZeroThatStillBackpropagates()
    {
        using var scope = torch.NewDisposeScope();
        var head = SmallHead();
        var size = new ImageSize(16, 16);
        var features = new[] { torch.randn(1, 4, 16, 16, generator: new Generator(1)) };
        var target = new BoxList(torch.tensor(new float[] { 1, 1, 8, 8 }, [1, 4]), size).With(BoxFields.Labels, torch.tensor(new long[] { 1 }))
            .With(BoxFields.Keypoints, new PersonKeypoints(Points(), size));
        var sampled = new BoxList(torch.tensor(new float[] { 1, 1, 9, 9 }, [1, 4]), size).With(BoxFields.Labels, torch.tensor(new long[] { 1 }))
            .With(BoxFields.MatchedIndices, torch.tensor(new long[] { 0 }));
        var loss = head.Loss(features, [sampled], [target], null);
        Assert.Equal(0f, loss.item<float>());
        loss.backward();
        Assert.All(head.parameters(), p => Assert.Equal(0f, p.grad!.abs().sum().item<float>()));
    }

    [Fact]
    public void TargetsWithoutKeypointsAreNamed()
    {
        using var scope = torch.NewDisposeScope();
        var head = SmallHead();
        var size = new ImageSize(16, 16);
        var target = new BoxList(torch.tensor(new float[] { 1, 1, 8, 8 }, [1, 4]), size).With(BoxFields.Labels, torch.tensor(new long[] { 1 }));
        var sampled = new BoxList(torch.tensor(new float[] { 1, 1, 9, 9 }, [1, 4]), size).With(BoxFields.Labels, torch.tensor(new long[] { 1 }))
            .With(BoxFields.MatchedIndices, torch.tensor(new long[] { 0 }));
        var e = Assert.Throws<InvalidOperationException>(() => head.Loss([torch.zeros(1, 4, 16, 16)], [sampled], [target], null));
        Assert.Contains("no keypoints in its targets", e.Message);
    }

    [Fact]
    public void InferenceAddsDecodedKeypointsAndTheirScoresToEachDetection()
    {
        using var scope = torch.NewDisposeScope();
        var head = SmallHead();
        head.eval();
        var size = new ImageSize(16, 16);
        var features = new[] { torch.randn(1, 4, 16, 16, generator: new Generator(2)) };
        var boxes = torch.tensor(new float[] { 1, 1, 9, 9, 4.5f, 3, 15, 12.5f }, [2, 4]);
        var detections = new BoxList(boxes, size).With(BoxFields.Labels, torch.tensor(new long[] { 1, 1 }))
            .With(BoxFields.Scores, torch.tensor(new float[] { 0.9f, 0.8f }));

        var result = head.Infer(features, [detections], null).Single();

        var extractor = (KeypointFeatureExtractor)head.named_children().Single(c => c.name == "feature_extractor").module;
        var predictor = (KeypointPredictor)head.named_children().Single(c => c.name == "predictor").module;
        using var noGrad = torch.no_grad();
        var (expected, scores) = KeypointDecoder.Decode(predictor.forward(extractor.forward(features, [boxes])), boxes);
        var keypoints = result.Field<PersonKeypoints>(BoxFields.Keypoints);
        Assert.Equal(size, keypoints.Size);
        Assert.True(keypoints.Tensor.eq(expected).all().item<bool>());
        Assert.True(result.Field(BoxFields.KeypointScores).eq(scores).all().item<bool>());
        Assert.Equal([2L, 17], result.Field(BoxFields.KeypointScores).shape);
        // Keypoints follow their boxes to the original image.
        var resized = result.Resize(new ImageSize(32, 48)).Field<PersonKeypoints>(BoxFields.Keypoints).Tensor;
        Assert.True(resized.select(2, 0).allclose(expected.select(2, 0) * 3));
        Assert.True(resized.select(2, 1).allclose(expected.select(2, 1) * 2));
    }

    [Fact]
    public void ShapeKeypointsAreMirrorPairsOnTheShapesBox()
    {
        var image = new ShapesGenerator(seed: 4).Render(0);
        foreach (var shape in image.Shapes)
        {
            var k = ShapeKeypoints.Of(shape, image.Width, image.Height);
            Assert.Equal(51, k.Length);
            var flip = PersonKeypoints.FlipIndices;
            double centre = k[0]; // the nose sits on the centre line
            for (int j = 1; j < 17; j++)
            {
                Assert.Equal(2 * centre, k[3 * j] + k[3 * flip[j]], 1e-6 + 0.011); // rounded to 0.01
                Assert.Equal(k[3 * j + 1], k[3 * flip[j] + 1]);
                Assert.Contains(k[3 * j + 2], new[] { 1.0, 2.0 });
            }
        }
        // A shape nothing covers shows its nose (on the shape, up from the centre) as visible.
        var top = image.Shapes[^1];
        Assert.Equal(2.0, ShapeKeypoints.Of(top, image.Width, image.Height)[2]);
    }

    static string[] TinyTraining(string output, string catalog) =>
    [
        "MODEL.DEVICE", "cpu", "MODEL.WEIGHT", "", "PATHS_CATALOG", catalog, "DATASETS.TRAIN", "(\"tiny_kp_train\",)", "DATASETS.TEST", "()",
        "OUTPUT_DIR", output, "MODEL.RESNETS.BACKBONE_OUT_CHANNELS", "64", "MODEL.ROI_BOX_HEAD.MLP_HEAD_DIM", "64",
        "MODEL.ROI_BOX_HEAD.NUM_CLASSES", "4", "MODEL.ROI_KEYPOINT_HEAD.CONV_LAYERS", "(64, 64)", "MODEL.ROI_KEYPOINT_HEAD.POOLER_RESOLUTION", "7",
        "MODEL.ROI_KEYPOINT_HEAD.RESOLUTION", "28", "MODEL.ROI_HEADS.BATCH_SIZE_PER_IMAGE", "32",
        "MODEL.RPN.PRE_NMS_TOP_N_TRAIN", "200", "MODEL.RPN.POST_NMS_TOP_N_TRAIN", "100", "MODEL.RPN.FPN_POST_NMS_TOP_N_TRAIN", "100",
        "INPUT.MIN_SIZE_TRAIN", "(64,)", "INPUT.MAX_SIZE_TRAIN", "96", "DATALOADER.NUM_WORKERS", "0", "SOLVER.IMS_PER_BATCH", "2",
        "SOLVER.MAX_ITER", "2", "SOLVER.BASE_LR", "0.01", "SOLVER.WARMUP_ITERS", "1", "SOLVER.STEPS", "(100,)", "SOLVER.WEIGHT_DECAY", "0", "SEED", "3",
    ];

    [Theory]
    [InlineData("e2e_keypoint_rcnn_R_50_FPN_1x.yaml")]
    [InlineData("shapes/keypoint_rcnn_R_18_FPN_gn.yaml")]
    public void TrainsTwoIterationsOnTinyKeypointData(string config)
    {
        using var run = new TempDir();
        var cfg = ConfigLoader.Load(Path.Combine(TestPaths.Configs, config), TinyTraining(run.Path, data.Catalog));
        torch.manual_seed(3); // the trainer seeds torch with SEED before it builds the model: the same initial weights
        Dictionary<string, Tensor> initial;
        using (var fresh = ModelBuilder.Build(cfg))
            initial = fresh.state_dict().Where(kv => kv.Key.StartsWith(Prefix)).ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        Assert.Equal(
            [Prefix + "feature_extractor.conv_fcn1.bias", Prefix + "feature_extractor.conv_fcn1.weight", Prefix + "feature_extractor.conv_fcn2.bias",
             Prefix + "feature_extractor.conv_fcn2.weight", Prefix + "predictor.kps_score_lowres.bias", Prefix + "predictor.kps_score_lowres.weight"],
            initial.Keys.Order(StringComparer.Ordinal));

        var result = new Trainer(cfg, new TrainingOptions(Resume: false, LogPeriod: 1), new StringWriter()).Run();
        Assert.Equal(2, result.Iteration);
        var records = File.ReadAllLines(Path.Combine(run.Path, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.True(double.IsFinite(r.GetProperty("loss_kp").GetDouble()) && r.GetProperty("loss_kp").GetDouble() > 0));

        using var saved = SafeTensorsFile.Load(result.CheckpointPath);
        var trained = saved.Where(kv => kv.Key.StartsWith(Prefix)).ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(initial.Keys.Order(), trained.Keys.Order());
        foreach (var name in new[] { "feature_extractor.conv_fcn1.weight", "predictor.kps_score_lowres.weight" })
            Assert.False(trained[Prefix + name].allclose(initial[Prefix + name], rtol: 0, atol: 0), $"{name} did not move");
    }

    [Fact]
    public void TheZooConfigsValidateAndTheShapesRecipeReadsItsGeneratedSet()
    {
        foreach (var name in new[] { "e2e_keypoint_rcnn_R_50_FPN_1x.yaml", "caffe2/e2e_keypoint_rcnn_R_50_FPN_1x_caffe2.yaml", "quick_schedules/e2e_keypoint_rcnn_R_50_FPN_quick.yaml" })
        {
            var cfg = ConfigLoader.Load(Path.Combine(TestPaths.Configs, name), ["MODEL.DEVICE", "cpu", "MODEL.WEIGHT", ""]);
            Assert.True(cfg.Model.KeypointOn);
        }
        var recipe = ConfigLoader.Load(Path.Combine(TestPaths.Configs, "shapes", "keypoint_rcnn_R_18_FPN_gn.yaml"));
        Assert.Equal(["shapes_keypoints_train"], recipe.Datasets.Train);
    }

    [Theory]
    [InlineData("MODEL.ROI_KEYPOINT_HEAD.RESOLUTION", "28", "MODEL.ROI_KEYPOINT_HEAD.RESOLUTION is 28 but the heatmaps are 4 × POOLER_RESOLUTION = 56; set RESOLUTION 56")]
    [InlineData("MODEL.ROI_KEYPOINT_HEAD.NUM_CLASSES", "5", "MODEL.ROI_KEYPOINT_HEAD.NUM_CLASSES is 5; keypoint targets are COCO's 17 person keypoints")]
    [InlineData("MODEL.RPN_ONLY", "True", "MODEL.KEYPOINT_ON: the keypoint head is an RoI head of R-CNN; MODEL.RPN_ONLY builds no RoI heads")]
    [InlineData("MODEL.ROI_KEYPOINT_HEAD.PREDICTOR", "KeypointRCNNPredictr", "MODEL.ROI_KEYPOINT_HEAD.PREDICTOR: unknown value 'KeypointRCNNPredictr' (did you mean 'KeypointRCNNPredictor'?)")]
    public void BadKeypointSettingsAreRefusedAtLoad(string key, string value, string message)
    {
        var path = Path.Combine(TestPaths.Configs, "e2e_keypoint_rcnn_R_50_FPN_1x.yaml");
        Assert.Equal($"{path}: {message}", Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, [key, value])).Message);
    }
}
