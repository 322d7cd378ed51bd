using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using MaskRcnn.Tests.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Inference;

/// <summary>The predictor's results are in each original image's pixels, and batching does not change them.</summary>
[Collection(TrainingCollection.Name)]
public class PredictorTests
{
    [Fact]
    public void ResultsAreInEachOriginalImagesCoordinates()
    {
        using var predictor = TinyModel.Predictor(TinyModel.Config());
        using var scope = torch.NewDisposeScope();
        // Landscape, portrait, and one that is shrunk by MAX_SIZE_TEST: different network sizes in one padded batch.
        var sizes = new[] { new ImageSize(64, 80), new ImageSize(90, 70), new ImageSize(40, 150) };
        var results = predictor.Predict(sizes.Select((s, i) => TinyModel.Image(s.Height, s.Width, i)).ToList());
        Assert.Equal(sizes.Length, results.Count);
        for (int i = 0; i < sizes.Length; i++)
        {
            var r = results[i];
            Assert.Equal(sizes[i], r.Size);
            Assert.True(r.Count > 0, $"image {i}: no detections");
            Assert.Equal(DeviceType.CPU, r.Boxes.device_type);
            var b = r.Boxes;
            Assert.True(b.min().item<float>() >= 0, $"image {i}: a box starts before 0");
            Assert.True(b[.., 2].max().item<float>() <= sizes[i].Width, $"image {i}: a box ends after the width");
            Assert.True(b[.., 3].max().item<float>() <= sizes[i].Height, $"image {i}: a box ends below the height");
            var masks = r.Field<BitMasks>(BoxFields.Masks);
            Assert.Equal((r.Count, sizes[i].Height, sizes[i].Width), (masks.Count, masks.Height, masks.Width));
            Assert.Equal(r.Count, r.Field(BoxFields.Labels).shape[0]);
            Assert.True(r.Field(BoxFields.Labels).min().item<long>() >= 1);
            Assert.True(r.Field(BoxFields.Scores).max().item<float>() <= 1);
            Assert.False(r.Has(BoxFields.MaskProbabilities));
        }
    }

    [Fact]
    public void SquashedInputsMapBackToEachOriginalWithSeparateXAndYScales()
    {
        using var predictor = TinyModel.Predictor(TinyModel.Config("INPUT.SQUASH_SIZE", "64"));
        using var scope = torch.NewDisposeScope();
        // Every column of a 64×64 image twice: squashed bilinearly without antialiasing, the 64×128 image becomes the
        // 64×64 one exactly (each output pixel samples between a column pair), so the network sees the same input and
        // its detections map back with x doubled and y as is. Antialiasing, or the MIN/MAX_SIZE rule (48×96 here), would
        // feed the network something else.
        var square = TinyModel.Image(64, 64, 5);
        var wide = square.repeat_interleave(2, dim: 2);
        var results = predictor.Predict([square, wide]);
        Assert.Equal(new ImageSize(64, 128), results[1].Size);
        Assert.True(results[0].Count > 0);
        Assert.Equal(results[0].Count, results[1].Count);
        var doubledX = torch.tensor(new float[] { 2, 1, 2, 1 });
        TensorAssert.Close(results[0].Boxes * doubledX, results[1].Boxes, rtol: 0, atol: 1e-3, what: "boxes");
        TensorAssert.Close(results[0].Field(BoxFields.Scores), results[1].Field(BoxFields.Scores), rtol: 0, atol: 1e-5, what: "scores");
        TensorAssert.Equal(results[0].Field(BoxFields.Labels), results[1].Field(BoxFields.Labels), "labels");
        var masks = results[1].Field<BitMasks>(BoxFields.Masks);
        Assert.Equal((64, 128), (masks.Height, masks.Width));
        // Pasted at twice the width, each mask is its square twin stretched, up to boundary pixels: the random model's
        // mask probabilities hover near the 0.5 threshold, and the paster samples other points at the other width.
        var stretched = results[0].Field<BitMasks>(BoxFields.Masks).Tensor.repeat_interleave(2, dim: 2);
        double overlap = (stretched & masks.Tensor).sum().item<long>(), union = (stretched | masks.Tensor).sum().item<long>();
        double areaRatio = masks.Tensor.sum().item<long>() / (double)stretched.sum().item<long>();
        Assert.True(overlap > 0.7 * union && areaRatio is > 0.9 and < 1.1, $"mask IoU {overlap / union:F3}, area ratio {areaRatio:F3}");
    }

    [Fact]
    public void RpnOnlyDoesNotStopAYolactModel()
    {
        var cfg = MaskRcnn.Config.ConfigLoader.Load(Path.Combine(TestPaths.RepoRoot, "configs", "shapes", "yolact_R_18_FPN_gn.yaml"),
            ["MODEL.RPN_ONLY", "True"]);
        torch.manual_seed(1);
        using var predictor = MaskRcnn.Inference.Predictor.FromModel(cfg, MaskRcnn.Modeling.ModelBuilder.Build(cfg));
        Assert.True(predictor.HasMasks);
    }

    [Fact]
    public void BatchedPredictionEqualsOneByOne()
    {
        using var predictor = TinyModel.Predictor(TinyModel.Config());
        using var scope = torch.NewDisposeScope();
        // Different sizes that all resize to 64 high and pad to 64×96 whether alone or together: a batch is padded to its
        // largest image, and padding changes what GroupNorm and the RPN see (as in maskrcnn-benchmark), so only equally
        // padded images can be expected to agree.
        var images = new[] { TinyModel.Image(64, 80, 1), TinyModel.Image(48, 72, 2), TinyModel.Image(100, 130, 3) };
        var batched = predictor.Predict(images);
        for (int i = 0; i < images.Length; i++)
        {
            var alone = predictor.Predict([images[i]])[0];
            Assert.Equal(alone.Count, batched[i].Count);
            Assert.True(alone.Count > 0);
            TensorAssert.Close(alone.Boxes, batched[i].Boxes, rtol: 0, atol: 1e-4, what: $"image {i} boxes");
            TensorAssert.Close(alone.Field(BoxFields.Scores), batched[i].Field(BoxFields.Scores), rtol: 0, atol: 1e-4, what: $"image {i} scores");
            TensorAssert.Equal(alone.Field(BoxFields.Labels), batched[i].Field(BoxFields.Labels), $"image {i} labels");
            TensorAssert.Equal(alone.Field<BitMasks>(BoxFields.Masks).Tensor, batched[i].Field<BitMasks>(BoxFields.Masks).Tensor, $"image {i} masks");
        }
    }

    [Fact]
    public void WeightsForAnotherNumberOfClassesAreRefused()
    {
        using var dir = new TempDir();
        var checkpoint = Path.Combine(dir.Path, "four.safetensors");
        TinyModel.SaveCheckpoint(checkpoint);
        using (var loaded = MaskRcnn.Inference.Predictor.Load(TinyModel.Config(), checkpoint))
            Assert.Equal(checkpoint, loaded.WeightsPath);
        // Training may start from them (the class layers keep their initialisation); detecting with random class layers may not.
        var e = Assert.Throws<MaskRcnn.Config.ConfigException>(() => MaskRcnn.Inference.Predictor.Load(TinyModel.Config("MODEL.ROI_BOX_HEAD.NUM_CLASSES", "6"), checkpoint));
        Assert.StartsWith($"{checkpoint}: weights do not fit MODEL.ROI_BOX_HEAD.NUM_CLASSES 6: roi_heads.box.predictor.cls_score.weight: file [4, 64], model [6, 64]", e.Message);
    }

    [Fact]
    public void MemoryStaysFlatOverManyPredictions()
    {
        using var predictor = TinyModel.Predictor(TinyModel.Config());
        var image = TinyModel.Image(64, 80, 1);
        void Once()
        {
            using var scope = torch.NewDisposeScope();
            predictor.Predict([image]);
        }
        Once();
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 5; i++) Once();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
