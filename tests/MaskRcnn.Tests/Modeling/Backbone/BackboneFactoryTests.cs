using MaskRcnn.Config;
using MaskRcnn.Layers;
using MaskRcnn.Modeling.Backbone;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling.Backbone;

public sealed class BackboneFactoryTests
{
    static MaskRcnnConfig Config(string convBody, int backboneOutChannels, int freezeAt = 2)
    {
        var cfg = new MaskRcnnConfig();
        cfg.Model.Backbone.ConvBody = convBody;
        cfg.Model.Backbone.FreezeConvBodyAt = freezeAt;
        cfg.Model.ResNets.BackboneOutChannels = backboneOutChannels;
        return cfg;
    }

    [Theory]
    [InlineData("R-50-C4", 1024, new[] { 16 })]
    [InlineData("R-50-C5", 2048, new[] { 32 })]
    [InlineData("R-101-C4", 1024, new[] { 16 })]
    [InlineData("R-101-C5", 2048, new[] { 32 })]
    [InlineData("R-50-FPN", 256, new[] { 4, 8, 16, 32, 64 })]
    [InlineData("R-101-FPN", 256, new[] { 4, 8, 16, 32, 64 })]
    [InlineData("R-152-FPN", 256, new[] { 4, 8, 16, 32, 64 })]
    [InlineData("R-18-FPN", 256, new[] { 4, 8, 16, 32, 64 })]
    [InlineData("R-34-FPN", 128, new[] { 4, 8, 16, 32, 64 })]
    [InlineData("VGG-16-C5", 512, new[] { 16 })]
    public void EveryConvBodyHasItsChannelsAndStrides(string convBody, int outChannels, int[] strides)
    {
        using var backbone = BackboneFactory.Build(Config(convBody, outChannels));
        Assert.Equal(outChannels, backbone.OutChannels);
        Assert.Equal(strides, backbone.Strides);
        backbone.eval();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var outputs = backbone.call(torch.zeros(2, 3, 64, 128));
        Assert.Equal(strides.Length, outputs.Length);
        for (int i = 0; i < strides.Length; i++)
            Assert.Equal([2L, outChannels, Math.Max(1, 64 / strides[i]), 128 / strides[i]], outputs[i].shape);
    }

    [Fact]
    public void FpnLevelsFollowSizesThatDoNotDivide()
    {
        // 65×97: the stem gives 33×49 → 17×25, then each stride-2 stage ceil-halves; P6 subsamples P5.
        using var backbone = BackboneFactory.Build(Config("R-18-FPN", 256));
        backbone.eval();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var outputs = backbone.call(torch.randn(1, 3, 65, 97));
        Assert.Equal([[1L, 256, 17, 25], [1L, 256, 9, 13], [1L, 256, 5, 7], [1L, 256, 3, 4], [1L, 256, 2, 2]], outputs.Select(o => o.shape));
    }

    [Fact]
    public void UnknownConvBodyNamesTheKey()
    {
        var e = Assert.Throws<ConfigException>(() => BackboneFactory.Build(Config("R-51-FPN", 256)));
        Assert.Equal("MODEL.BACKBONE.CONV_BODY: unknown value 'R-51-FPN' (did you mean 'R-50-FPN'?); registered: R-50-C4, R-50-C5, R-101-C4, " +
                     "R-101-C5, R-50-FPN, R-101-FPN, R-152-FPN, R-50-FPN-RETINANET, R-101-FPN-RETINANET, R-18-FPN-RETINANET, R-18-FPN, R-34-FPN, VGG-16-C5", e.Message);
    }

    [Fact]
    public void FactoryKnowsExactlyTheSupportedBodies()
    {
        Assert.Equal(["R-101-C4", "R-101-C5", "R-101-FPN", "R-101-FPN-RETINANET", "R-152-FPN", "R-18-FPN", "R-18-FPN-RETINANET", "R-34-FPN", "R-50-C4", "R-50-C5", "R-50-FPN", "R-50-FPN-RETINANET", "VGG-16-C5"],
            BackboneFactory.Names.Order());
    }

    [Theory]
    [InlineData("R-50-C5", 1024, 2048)]
    [InlineData("VGG-16-C5", 1024, 512)]
    public void BodyWithoutFpnMustMatchBackboneOutChannels(string convBody, int configured, int actual)
    {
        var e = Assert.Throws<ConfigException>(() => BackboneFactory.Build(Config(convBody, configured)));
        Assert.Equal($"MODEL.RESNETS.BACKBONE_OUT_CHANNELS: {convBody} outputs {actual} channels, but the setting is {configured}", e.Message);
    }

    [Fact]
    public void FreezingMoreStagesThanTheBodyHasIsAConfigError()
    {
        var e = Assert.Throws<ConfigException>(() => BackboneFactory.Build(Config("R-50-C4", 1024, freezeAt: 5)));
        Assert.StartsWith("MODEL.BACKBONE.FREEZE_CONV_BODY_AT:", e.Message);
    }

    [Theory]
    [InlineData("R-50-FPN", null, 0.0)]
    [InlineData("R-18-FPN", null, 1e-5)]
    [InlineData("R-34-FPN", null, 1e-5)]
    [InlineData("R-50-FPN", 1e-5, 1e-5)]
    [InlineData("R-18-FPN", 0.0, 0.0)]
    public void FrozenBatchNormEpsIsMaskRcnnBenchmarksUnlessTheWeightsAreTorchvisions(string convBody, double? given, double expected)
    {
        using var backbone = BackboneFactory.Build(Config(convBody, 256), given);
        var norms = backbone.modules().OfType<FrozenBatchNorm2d>().ToList();
        Assert.NotEmpty(norms);
        Assert.All(norms, n => Assert.Equal(expected, n.Eps));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void FreezeConvBodyAtFreezesTheStemAndTheFirstLayers(int freezeAt)
    {
        using var backbone = BackboneFactory.Build(Config("R-50-FPN", 256, freezeAt));
        var frozenPrefixes = new[] { "body.stem.", "body.layer1.", "body.layer2.", "body.layer3.", "body.layer4." }.Take(freezeAt).ToArray();
        var parameters = backbone.named_parameters().ToList();
        Assert.Contains(parameters, p => p.name.StartsWith("fpn."));
        foreach (var (name, p) in parameters)
            Assert.True(p.requires_grad != frozenPrefixes.Any(name.StartsWith), $"{name}: requires_grad {p.requires_grad} with FREEZE_CONV_BODY_AT {freezeAt}");
        // Frozen batch norms are buffers: never parameters, never trained.
        Assert.DoesNotContain(parameters, p => p.name.Contains(".bn") || p.name.EndsWith("downsample.1.weight"));
    }

    [Fact]
    public void VggFreezesWholeConvolutionBlocks()
    {
        using var backbone = BackboneFactory.Build(Config("VGG-16-C5", 512, freezeAt: 2));
        var frozen = backbone.named_parameters().Where(p => !p.parameter.requires_grad).Select(p => p.name).Order().ToList();
        Assert.Equal(["body.features.0.bias", "body.features.0.weight", "body.features.2.bias", "body.features.2.weight",
            "body.features.5.bias", "body.features.5.weight", "body.features.7.bias", "body.features.7.weight"], frozen);
        Assert.Equal(26, backbone.named_parameters().Count());
    }

    [Fact]
    public void GroupNormBodiesTrainTheirNorms()
    {
        var cfg = Config("R-50-FPN", 256, freezeAt: 0);
        cfg.Model.ResNets.StemFunc = "StemWithGN";
        cfg.Model.ResNets.TransFunc = "BottleneckWithGN";
        cfg.Model.Fpn.UseGn = true;
        using var backbone = BackboneFactory.Build(cfg);
        Assert.Empty(backbone.modules().OfType<FrozenBatchNorm2d>());
        Assert.Empty(backbone.named_buffers());
        var groupNorms = backbone.named_modules().Where(m => m.module is TorchSharp.Modules.GroupNorm).Select(m => m.name).ToList();
        Assert.Contains("body.stem.bn1", groupNorms);
        Assert.Contains("body.layer4.2.bn3", groupNorms);
        Assert.Contains("fpn.fpn_inner1.1", groupNorms);
        Assert.All(backbone.parameters(), p => Assert.True(p.requires_grad));

        backbone.train();
        using var scope = torch.NewDisposeScope();
        var outputs = backbone.call(torch.randn(2, 3, 64, 64));
        outputs.Select(o => o.sum()).Aggregate((a, b) => a + b).backward();
        var named = backbone.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var name in new[] { "body.stem.bn1.weight", "body.layer1.0.bn2.bias", "body.layer4.2.bn3.weight", "fpn.fpn_layer1.1.weight" })
            Assert.True(named[name].grad is { } g && g.abs().sum().item<float>() > 0, $"{name} got no gradient");

        backbone.eval();
        backbone.Fuse();
        Assert.False(backbone.IsFused); // GroupNorm depends on the data: nothing to fold
    }

    [Theory]
    [InlineData(32, -1, 32)]
    [InlineData(-1, 16, 16)]
    public void GroupNormGroupsFollowTheConfig(int numGroups, int dimPerGroup, int expectedGroupsOf256)
    {
        var cfg = Config("R-50-FPN", 256, freezeAt: 0);
        cfg.Model.ResNets.TransFunc = "BottleneckWithGN";
        cfg.Model.GroupNorm.NumGroups = numGroups;
        cfg.Model.GroupNorm.DimPerGp = dimPerGroup;
        using var backbone = BackboneFactory.Build(cfg);
        var norm = (TorchSharp.Modules.GroupNorm)backbone.named_modules().Single(m => m.name == "body.layer1.0.bn3").module;
        // A GroupNorm with G groups normalises each group of C/G channels on its own: check it on a constant per group.
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = torch.arange(256, dtype: ScalarType.Float32).div(256 / expectedGroupsOf256, rounding_mode: RoundingMode.floor).view(1, 256, 1, 1).expand(1, 256, 2, 2);
        Assert.True(norm.call(x).abs().max().item<float>() < 1e-3, "each group is constant, so normalised to zero");
    }
}
