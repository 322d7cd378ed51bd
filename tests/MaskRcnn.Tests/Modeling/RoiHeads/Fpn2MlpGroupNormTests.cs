using MaskRcnn.Config;
using MaskRcnn.Modeling;

namespace MaskRcnn.Tests.Modeling.RoiHeads;

/// <summary>
/// maskrcnn-benchmark's FPN2MLPFeatureExtractor under ROI_BOX_HEAD.USE_GN (the gn_baselines configs): each fc is
/// make_fc with GroupNorm — a Linear without bias, then GroupNorm(32 groups) — under the names fc6.0 / fc6.1.
/// </summary>
public class Fpn2MlpGroupNormTests
{
    [Fact]
    public void TheGnBaselineBoxHeadHasBiaslessFcsFollowedByGroupNorm()
    {
        var cfg = ConfigLoader.Load(Path.Combine(TestPaths.Configs, "gn_baselines", "e2e_mask_rcnn_R_50_FPN_1x_gn.yaml"),
            ["MODEL.DEVICE", "cpu", "MODEL.WEIGHT", ""]);
        Assert.True(cfg.Model.RoiBoxHead.UseGn);
        using var model = ModelBuilder.Build(cfg);
        var head = model.state_dict().Where(e => e.Key.StartsWith("roi_heads.box.feature_extractor.", StringComparison.Ordinal))
            .Select(e => $"{e.Key["roi_heads.box.feature_extractor.".Length..]} [{string.Join(", ", e.Value.shape)}]").Order(StringComparer.Ordinal);
        Assert.Equal(["fc6.0.weight [1024, 12544]", "fc6.1.bias [1024]", "fc6.1.weight [1024]",
                      "fc7.0.weight [1024, 1024]", "fc7.1.bias [1024]", "fc7.1.weight [1024]"], head);
        // 32 groups of 32 channels: a ramp normalised per group gives every group the same 32 values.
        var norm = Assert.IsType<MaskRcnn.Layers.FeatureGroupNorm>(model.named_modules().Single(m => m.name == "roi_heads.box.feature_extractor.fc6.1").module);
        using (TorchSharp.torch.no_grad())
        {
            using var output = norm.forward(TorchSharp.torch.arange(1024, dtype: TorchSharp.torch.ScalarType.Float32).reshape(1, 1024));
            using var groups = output.reshape(32, 32);
            Assert.True(groups.allclose(groups[0].expand(32, 32), rtol: 0, atol: 1e-5));
            // Channel 0 of a group of 32 (0..31, population std sqrt(85.25)): -15.5 / 9.2331 = -1.6787 (16 groups of 64 would give -1.7052).
            Assert.Equal(-1.6787, output[0, 0].item<float>(), 3);
        }

        // The head runs on [N, 1024] features (the norm sees them as [N, 1024, 1]).
        var extractor = model.named_modules().Single(m => m.name == "roi_heads.box.feature_extractor.fc7").module as TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>;
        using (TorchSharp.torch.no_grad())
        using (var x = TorchSharp.torch.randn(3, 1024))
        using (var y = extractor!.forward(x))
        {
            Assert.Equal([3L, 1024], y.shape);
            using var mean = y.reshape(3, 32, 32).mean([2]);
            Assert.True(mean.abs().max().item<float>() < 1e-4); // each group normalised (GN's affine starts at 1 and 0)
        }

        // Without USE_GN the same config keeps plain fc6/fc7 with biases.
        using var plain = ModelBuilder.Build(ConfigLoader.Load(Path.Combine(TestPaths.Configs, "e2e_mask_rcnn_R_50_FPN_1x.yaml"),
            ["MODEL.DEVICE", "cpu", "MODEL.WEIGHT", ""]));
        Assert.Contains("roi_heads.box.feature_extractor.fc6.bias", plain.state_dict().Keys);
        Assert.DoesNotContain("roi_heads.box.feature_extractor.fc6.0.weight", plain.state_dict().Keys);
    }
}
