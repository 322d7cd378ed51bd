using MaskRcnn.Config;
using MaskRcnn.Inference;
using MaskRcnn.Modeling;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using MaskRcnn.Tests.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Inference;

/// <summary>Test-time augmentation (TEST.BBOX_AUG) as maskrcnn-benchmark's bbox_aug: passes in its order, flipped passes
/// mirrored back, other scales mapped back, one filtering over the pooled candidates; masks averaged over the passes
/// (Detectron's SOFT_AVG).</summary>
[Collection(TrainingCollection.Name)]
public class TestTimeAugmentationTests
{
    static readonly string[] Tta = ["TEST.BBOX_AUG.ENABLED", "True"];

    static IReadOnlyList<BoxList> Predict(MaskRcnnConfig cfg, params Tensor[] images)
    {
        using var predictor = TinyModel.Predictor(cfg);
        return predictor.Predict(images);
    }

    static void AssertSameDetections(BoxList expected, BoxList actual, double atol, string what)
    {
        Assert.Equal(expected.Size, actual.Size);
        Assert.True(expected.Count > 0, $"{what}: no detections to compare");
        TensorAssert.Close(expected.Boxes, actual.Boxes, rtol: 0, atol: atol, what: $"{what} boxes");
        TensorAssert.Close(expected.Field(BoxFields.Scores), actual.Field(BoxFields.Scores), rtol: 0, atol: 1e-6, what: $"{what} scores");
        TensorAssert.Equal(expected.Field(BoxFields.Labels), actual.Field(BoxFields.Labels), $"{what} labels");
    }

    [Fact]
    public void ThePassesAreMaskrcnnBenchmarksInItsOrder()
    {
        var cfg = ConfigLoader.Load(Path.Combine(TestPaths.Configs, "test_time_aug", "e2e_mask_rcnn_R_50_FPN_1x.yaml"));
        var passes = TestTimeAugmentation.PassesOf(cfg);
        Assert.Equal(2 + 2 * 8, passes.Count);
        Assert.Equal(new TestTimeAugmentation.Pass(800, 1333, false), passes[0]);
        Assert.Equal(new TestTimeAugmentation.Pass(800, 1333, true), passes[1]);
        Assert.Equal(new TestTimeAugmentation.Pass(400, 2000, false), passes[2]);
        Assert.Equal(new TestTimeAugmentation.Pass(400, 2000, true), passes[3]);
        Assert.Equal(new TestTimeAugmentation.Pass(1200, 2000, true), passes[^1]);
        Assert.Single(TestTimeAugmentation.PassesOf(TinyModel.Config(Tta)));
        Assert.Equal([new(64, 96, false), new(64, 96, true)], TestTimeAugmentation.PassesOf(TinyModel.Config([.. Tta, "TEST.BBOX_AUG.H_FLIP", "True"])));
        // SCALE_H_FLIP mirrors the extra scales only.
        Assert.Equal([new(64, 96, false), new(80, 4000, false), new(80, 4000, true)],
            TestTimeAugmentation.PassesOf(TinyModel.Config([.. Tta, "TEST.BBOX_AUG.SCALES", "(80,)", "TEST.BBOX_AUG.SCALE_H_FLIP", "True"])));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OnlyTheTestScaleUnflippedIsPlainInference(bool testScaleAgain)
    {
        // A second pass at the same scale duplicates every candidate, and per-class NMS removes the copies, except of
        // boxes of no area (IoU 0/0, no "+1" here): the random model makes some, so both runs drop them (ROI_HEADS.MIN_SIZE).
        string[] again = testScaleAgain ? ["TEST.BBOX_AUG.SCALES", "(64,)", "TEST.BBOX_AUG.MAX_SIZE", "96", "MODEL.ROI_HEADS.MIN_SIZE", "0.001"] : [];
        using var scope = torch.NewDisposeScope();
        var images = new[] { TinyModel.Image(64, 80, 1), TinyModel.Image(90, 70, 2) };
        var plain = Predict(TinyModel.Config(testScaleAgain ? ["MODEL.ROI_HEADS.MIN_SIZE", "0.001"] : []), images);
        using var predictor = TinyModel.Predictor(TinyModel.Config([.. Tta, .. again]));
        Assert.True(predictor.HasMasks);
        var augmented = predictor.Predict(images);
        for (int i = 0; i < images.Length; i++)
        {
            AssertSameDetections(plain[i], augmented[i], atol: 0, $"image {i}");
            // The same boxes on the same features: the same probabilities, averaged over identical passes.
            TensorAssert.Equal(plain[i].Field<BitMasks>(BoxFields.Masks).Tensor, augmented[i].Field<BitMasks>(BoxFields.Masks).Tensor, $"image {i} masks");
        }
    }

    [Theory]
    [InlineData("torchvision")]
    [InlineData("maskrcnn-benchmark")]
    public void FlippedDetectionsAreMirroredBackIntoTheOriginalImage(string convention)
    {
        using var scope = torch.NewDisposeScope();
        // At the test scale (64 short side), so the network sees the image unresized. With H_FLIP the pooled candidates of
        // the mirrored image are those of the image mirrored, so its detections must be the image's mirrored. If the flip
        // pass were left unmirrored, mirrored about the wrong axis, or dropped, they would not be: the network is not
        // mirror-symmetric.
        var image = TinyModel.Image(64, 80, 4);
        var cfg = TinyModel.Config([.. Tta, "TEST.BBOX_AUG.H_FLIP", "True", "MODEL.BOX_CONVENTION", convention]);
        var results = Predict(cfg, image, image.flip(2));
        float right = 80 - BoxConventions.Parse(convention).PlusOne();
        var b = results[0].Boxes;
        var mirrored = new BoxList(torch.stack([right - b[.., 2], b[.., 1], right - b[.., 0], b[.., 3]], dim: 1), results[0].Size)
            .With(BoxFields.Scores, results[0].Field(BoxFields.Scores)).With(BoxFields.Labels, results[0].Field(BoxFields.Labels));
        AssertSameDetections(mirrored, results[1], atol: 1e-3, "mirrored image");
        // And the flip pass did contribute: plain inference differs.
        var plain = Predict(TinyModel.Config("MODEL.BOX_CONVENTION", convention), image)[0];
        Assert.False(plain.Count == results[0].Count && plain.Boxes.allclose(results[0].Boxes), "H_FLIP changed nothing");
    }

    [Fact]
    public void FlippedMaskProbabilitiesAreMirroredBackBeforeAveraging()
    {
        using var scope = torch.NewDisposeScope();
        // With H_FLIP the mirrored image's passes are the image's passes mirrored, so its averaged mask probabilities
        // (on its merged boxes, the image's mirrored) must be the image's mirrored left-right. Without the flip back of
        // the mirrored pass's masks, or flipping the wrong axis, they would not be: the network is not mirror-symmetric.
        var image = TinyModel.Image(64, 80, 4);
        using var predictor = TinyModel.Predictor(TinyModel.Config([.. Tta, "TEST.BBOX_AUG.H_FLIP", "True"]));
        var tta = predictor.Augmentation!;
        var mirrored = image.flip(2);
        var merged = tta.Merged([image, mirrored]);
        Assert.True(merged[0].Count > 0);
        var probabilities = tta.AverageMasks([image, mirrored], merged);
        TensorAssert.Close(probabilities[0].flip(3), probabilities[1], rtol: 0, atol: 1e-5, what: "mirrored image's mask probabilities");
        // And the mirrored pass counts: the image's own pass alone gives other probabilities.
        using var single = TinyModel.Predictor(TinyModel.Config(Tta));
        var alone = single.Augmentation!.AverageMasks([image], [merged[0]])[0];
        Assert.False(alone.allclose(probabilities[0], rtol: 0, atol: 1e-4), "the mirrored pass changed no mask");
    }

    [Fact]
    public void OtherScalesAreMappedBackToTheOriginalImage()
    {
        using var scope = torch.NewDisposeScope();
        // The same two passes (short side 64 and 128) with either as the test scale pool the same candidates, in the
        // coordinates of one or the other; mapped to the original image the detections agree. A pass left in its own
        // scale's pixels would not.
        var image = TinyModel.Image(64, 80, 6);
        var small = Predict(TinyModel.Config([.. Tta, "TEST.BBOX_AUG.SCALES", "(128,)", "TEST.BBOX_AUG.MAX_SIZE", "1000"]), image)[0];
        var large = Predict(TinyModel.Config([.. Tta, "INPUT.MIN_SIZE_TEST", "128", "INPUT.MAX_SIZE_TEST", "1000",
            "TEST.BBOX_AUG.SCALES", "(64,)", "TEST.BBOX_AUG.MAX_SIZE", "96"]), image)[0];
        Assert.Equal(new ImageSize(64, 80), small.Size);
        AssertSameDetections(small, large, atol: 1e-3, "pooled at 64 vs 128");
        var plain = Predict(TinyModel.Config(), image)[0];
        Assert.False(plain.Count == small.Count && plain.Boxes.allclose(small.Boxes), "the 128 pass changed nothing");
    }

    [Fact]
    public void TheShippedTestTimeAugmentationConfigBuildsAPredictor()
    {
        var cfg = ConfigLoader.Load(Path.Combine(TestPaths.Configs, "test_time_aug", "e2e_mask_rcnn_R_50_FPN_1x.yaml"), ["MODEL.DEVICE", "cpu"]);
        torch.manual_seed(0);
        using var predictor = MaskRcnn.Inference.Predictor.FromModel(cfg, ModelBuilder.Build(cfg));
        Assert.True(predictor.Model.HasMasks);
        Assert.True(predictor.HasMasks); // masks averaged over the passes
        Assert.Equal(18, predictor.Augmentation!.Passes.Count);
    }

    [Fact]
    public void YolactRetinaNetAndSquashedInputsAreRefusedInOneLine()
    {
        var retinanet = Assert.Throws<ConfigNotSupportedException>(() =>
            ConfigLoader.Load(Path.Combine(TestPaths.Configs, "retinanet", "retinanet_R-50-FPN_1x.yaml"), Tta));
        Assert.Equal("TEST.BBOX_AUG.ENABLED", retinanet.Key);
        Assert.Contains("test-time augmentation of RetinaNet", retinanet.Message);
        var yolact = Assert.Throws<ConfigNotSupportedException>(() =>
            ConfigLoader.Load(Path.Combine(TestPaths.Configs, "shapes", "yolact_R_18_FPN_gn.yaml"), Tta));
        Assert.Equal("TEST.BBOX_AUG.ENABLED", yolact.Key);
        Assert.Contains("YOLACT", yolact.Message);
        var squash = Assert.Throws<ConfigNotSupportedException>(() => TinyModel.Config([.. Tta, "INPUT.SQUASH_SIZE", "64"]));
        Assert.Contains("INPUT.SQUASH_SIZE", squash.Message);
        Assert.DoesNotContain("\n", squash.Message);
    }

    [Fact]
    public void KeypointRcnnIsRefusedAtConfigLoad()
    {
        var keypoints = Assert.Throws<ConfigNotSupportedException>(() =>
            ConfigLoader.Load(Path.Combine(TestPaths.Configs, "e2e_keypoint_rcnn_R_50_FPN_1x.yaml"), Tta));
        Assert.Equal("TEST.BBOX_AUG.ENABLED", keypoints.Key);
        Assert.Contains("not supported yet", keypoints.Message);
        Assert.Contains("Keypoint R-CNN", keypoints.Message);
        Assert.Contains("e2e_keypoint_rcnn_R_50_FPN_1x.yaml", keypoints.Message);
    }
}
