using MaskRcnn.Modeling.RoiHeads.Keypoint;
using TorchSharp;

namespace MaskRcnn.Tests.Modeling.RoiHeads.Keypoint;

/// <summary>The keypoint head's layers under maskrcnn-benchmark's names and shapes, and the predictor's arithmetic
/// (transposed conv 4×4 stride 2 padding 1, then bilinear ×2) on a hand-derived case.</summary>
public class KeypointHeadModulesTests
{
    [Fact]
    public void TheFeatureExtractorHasEightConvFcnLayersOf512ByDefault()
    {
        using var extractor = new KeypointFeatureExtractor(256, 14, [1.0 / 4, 1.0 / 8, 1.0 / 16, 1.0 / 32], 2, Enumerable.Repeat(512, 8).ToArray());
        var shapes = extractor.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        Assert.Equal(Enumerable.Range(1, 8).SelectMany(i => new[] { $"conv_fcn{i}.weight", $"conv_fcn{i}.bias" }).Order(), shapes.Keys.Order());
        Assert.Equal([512L, 256, 3, 3], shapes["conv_fcn1.weight"]);
        Assert.Equal([512L, 512, 3, 3], shapes["conv_fcn8.weight"]);
        Assert.Equal(512, extractor.OutChannels);
    }

    [Fact]
    public void TheExtractorPoolsEachRoiAndKeepsTheResolution()
    {
        using var extractor = new KeypointFeatureExtractor(4, 14, [1.0 / 4], 2, [6, 5]);
        var features = torch.rand(1, 4, 16, 16);
        var boxes = torch.tensor(new float[] { 0, 0, 40, 30, 8, 8, 60, 60, 1, 2, 3, 4 }, [3, 4]);
        var x = extractor.forward([features], [boxes]);
        Assert.Equal([3L, 5, 14, 14], x.shape);
        Assert.True(x.min().item<float>() >= 0); // ReLU after the last conv
    }

    [Fact]
    public void ThePredictorNamesItsDeconvKpsScoreLowresAndMakes56x56Heatmaps()
    {
        using var predictor = new KeypointPredictor(512, 17);
        var shapes = predictor.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        Assert.Equal(["kps_score_lowres.bias", "kps_score_lowres.weight"], shapes.Keys.Order());
        Assert.Equal([512L, 17, 4, 4], shapes["kps_score_lowres.weight"]);
        Assert.Equal([2L, 17, 56, 56], predictor.forward(torch.rand(2, 512, 14, 14)).shape);
    }

    [Fact]
    public void ThePredictorIsADeconvThenBilinearUpsampling()
    {
        using var predictor = new KeypointPredictor(1, 1);
        using (torch.no_grad())
        {
            foreach (var (_, p) in predictor.named_parameters()) p.fill_(0);
            predictor.named_parameters().Single(p => p.name.EndsWith("weight")).parameter.fill_(1);
        }
        // Ones 2×2 through an all-ones 4×4 kernel, stride 2, padding 1: per axis each output sees [1, 2, 2, 1] taps,
        // so the 4×4 map is their outer product (1 at corners, 4 in the middle). Bilinear ×2 (align_corners false):
        // output 0 reads source −0.25 (clamped: 1), output 1 reads 0.25 (0.75·1 + 0.25·2), output 3 reads 1.25 (4).
        var y = predictor.forward(torch.ones(1, 1, 2, 2));
        Assert.Equal([1L, 1, 8, 8], y.shape);
        Assert.Equal(1f, y[0, 0, 0, 0].item<float>(), 6);
        Assert.Equal(1.25f, y[0, 0, 0, 1].item<float>(), 6);
        Assert.Equal(4f, y[0, 0, 3, 3].item<float>(), 6);
        Assert.Equal(1.5625f, y[0, 0, 1, 1].item<float>(), 6); // source (0.25, 0.25): 0.5625·1 + 0.1875·2 + 0.1875·2 + 0.0625·4
    }
}
