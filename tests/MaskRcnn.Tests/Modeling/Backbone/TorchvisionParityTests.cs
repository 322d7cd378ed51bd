using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.Config;
using MaskRcnn.Modeling.Backbone;
using MaskRcnn.Tests.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling.Backbone;

/// <summary>
/// Our R-50-FPN (STRIDE_IN_1X1 False, frozen batch norm eps 1e-5) and R-18-FPN against torchvision 0.14's
/// resnet_fpn_backbone on the same deterministic weights and image (scripts/make_backbone_fixture.py), on the
/// plain path and with the batch norms folded into the convolutions.
/// </summary>
public sealed class TorchvisionParityTests
{
    static readonly TensorFixture Fixture = TensorFixture.Load("model/backbone_fpn.json");

    /// <summary>Relative tolerance, plus the same fraction of the level's spread as absolute tolerance
    /// (float32 through 50 layers by two different convolution libraries).</summary>
    const double Rtol = 1e-4;

    [Theory]
    [InlineData("resnet50", "R-50-FPN", false)]
    [InlineData("resnet50", "R-50-FPN", true)]
    [InlineData("resnet18", "R-18-FPN", false)]
    [InlineData("resnet18", "R-18-FPN", true)]
    public void FeaturesMatchTorchvision(string arch, string convBody, bool fused)
    {
        var c = Fixture[arch];
        using var backbone = Build(c, convBody);
        if (fused) backbone.Fuse();
        Assert.Equal(fused, backbone.IsFused);
        using var scope = torch.NewDisposeScope();
        var image = ReferenceWeights.Image("image", [1, 3, c.Int("height"), c.Int("width")]);
        TensorAssert.Equal(c.Tensor("image.head"), image.flatten()[..16], "image");

        using var noGrad = torch.no_grad();
        var bodyOutputs = backbone.Body.call(image);
        var bodyNames = c.Param("body_outputs").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(bodyNames.Length, bodyOutputs.Length);
        for (int i = 0; i < bodyNames.Length; i++)
            AssertStatistics(c, $"body.{bodyNames[i]}", bodyOutputs[i]);

        var outputs = backbone.call(image);
        var fpnNames = c.Param("fpn_outputs").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal(["0", "1", "2", "3", "pool"], fpnNames);
        Assert.Equal(fpnNames.Length, outputs.Length);
        for (int i = 0; i < fpnNames.Length; i++)
        {
            var name = $"fpn.{fpnNames[i]}";
            AssertStatistics(c, name, outputs[i]);
            var spread = c.Tensor($"{name}.std").mean().item<double>();
            var channels = outputs[i][0].index_select(0, c.Tensor($"{name}.channel_index"));
            TensorAssert.Close(c.Tensor($"{name}.channels"), channels, Rtol, Rtol * spread, name + " channels");
            var strided = outputs[i][0, TensorIndex.Slice(null, null, 8), TensorIndex.Slice(null, null, 3), TensorIndex.Slice(null, null, 3)];
            TensorAssert.Close(c.Tensor($"{name}.strided"), strided, Rtol, Rtol * spread, name + " strided");
        }
    }

    [Fact]
    public void TheWeightRuleIsTheScriptsRule()
    {
        var c = Fixture["resnet50"];
        var keys = Keys(c).ToDictionary(k => k.Key, k => k.Shape);
        foreach (var key in c.Param("pinned").EnumerateArray().Select(e => e.GetString()!))
        {
            using var values = ReferenceWeights.Values(key, keys[key])!;
            TensorAssert.Equal(c.Tensor($"pinned.{key}"), values.flatten()[..16], key);
        }
    }

    [Theory]
    [InlineData("resnet50", "R-50-FPN")]
    [InlineData("resnet18", "R-18-FPN")]
    public void EveryTorchvisionTensorHasExactlyOneOfOurs(string arch, string convBody)
    {
        var c = Fixture[arch];
        using var backbone = BackboneFactory.Build(Config(convBody), NormLayers.TorchvisionEps);
        var ours = backbone.state_dict();
        var mapped = Keys(c).Select(k => TorchvisionBackboneNames.ToMaskRcnn(k.Key)).ToList();
        Assert.DoesNotContain(null, mapped);
        Assert.Equal(ours.Keys.Order(), mapped.Order()!);
    }

    static BackboneNetwork Build(FixtureCase c, string convBody)
    {
        var backbone = BackboneFactory.Build(Config(convBody), c.Double("eps"));
        ReferenceWeights.Load(backbone, Keys(c), key => TorchvisionBackboneNames.ToMaskRcnn(key));
        backbone.eval();
        return backbone;
    }

    static MaskRcnnConfig Config(string convBody)
    {
        var cfg = new MaskRcnnConfig();
        cfg.Model.Backbone.ConvBody = convBody;
        cfg.Model.Backbone.FreezeConvBodyAt = 0;
        cfg.Model.ResNets.StrideIn1x1 = false;
        cfg.Model.ResNets.BackboneOutChannels = 256;
        return cfg;
    }

    static IEnumerable<(string Key, long[] Shape)> Keys(FixtureCase c) =>
        c.Param("keys").EnumerateArray().Zip(c.Param("shapes").EnumerateArray(),
            (k, s) => (k.GetString()!, s.EnumerateArray().Select(x => x.GetInt64()).ToArray()));

    /// <summary>Per-channel mean and (population) standard deviation of every channel.</summary>
    static void AssertStatistics(FixtureCase c, string name, Tensor output)
    {
        var expectedMean = c.Tensor($"{name}.mean");
        var expectedStd = c.Tensor($"{name}.std");
        Assert.Equal(expectedMean.size(0), output.size(1));
        var perChannel = output.to(ScalarType.Float64).transpose(0, 1).reshape(output.size(1), -1);
        var spread = expectedStd.mean().item<double>();
        TensorAssert.Close(expectedMean, perChannel.mean([1]), Rtol, Rtol * spread, name + " mean");
        TensorAssert.Close(expectedStd, perChannel.std(1, unbiased: false), Rtol, Rtol * spread, name + " std");
    }
}
