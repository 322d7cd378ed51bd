using MaskRcnn.Config;
using MaskRcnn.Modeling.Backbone;
using MaskRcnn.Modeling.Backbone.ResNet;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling.Backbone;

/// <summary>Frozen batch norms folded into their convolutions: the same function, and only an eval-mode snapshot.</summary>
public sealed class FusionTests
{
    static BackboneNetwork Build(string convBody, int outChannels)
    {
        var cfg = new MaskRcnnConfig();
        cfg.Model.Backbone.ConvBody = convBody;
        cfg.Model.ResNets.BackboneOutChannels = outChannels;
        var backbone = BackboneFactory.Build(cfg);
        // Non-trivial norms (the initial ones are the identity): the reference rule, keyed by our own names.
        using (torch.no_grad())
            foreach (var (name, t) in backbone.state_dict())
            {
                using var values = ReferenceWeights.Values(name, t.shape)!;
                t.copy_(values);
            }
        backbone.eval();
        return backbone;
    }

    [Theory]
    [InlineData("R-50-C4", 1024)]
    [InlineData("R-34-FPN", 256)]
    public void FoldedEqualsUnfolded(string convBody, int outChannels)
    {
        using var backbone = Build(convBody, outChannels);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var image = torch.randn(1, 3, 96, 64, generator: new Generator(3));
        var plain = backbone.call(image);
        backbone.Fuse();
        Assert.True(backbone.IsFused);
        var folded = backbone.call(image);
        for (int i = 0; i < plain.Length; i++)
        {
            var scale = plain[i].std().item<float>();
            TensorAssert.Close(plain[i], folded[i], rtol: 1e-4, atol: 1e-4 * scale, what: $"output {i}");
        }
    }

    [Fact]
    public void TrainingModeDropsTheSnapshot()
    {
        using var backbone = Build("R-18-FPN", 256);
        backbone.Fuse();
        Assert.True(backbone.IsFused);
        backbone.train();
        Assert.False(backbone.IsFused);
        backbone.eval();
        backbone.Fuse();
        backbone.Unfuse();
        Assert.False(backbone.IsFused);
    }

    [Fact]
    public void MovingTheModelDropsTheSnapshot()
    {
        using var backbone = Build("R-18-FPN", 256);
        backbone.Fuse();
        backbone.to(ScalarType.Float64);
        Assert.False(backbone.IsFused);
        backbone.Fuse();
        Assert.True(backbone.IsFused);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var outputs = backbone.call(torch.randn(1, 3, 64, 64, ScalarType.Float64));
        Assert.All(outputs, o => Assert.Equal(ScalarType.Float64, o.dtype));
    }

    [Fact]
    public void TheSnapshotIsUsedOnlyInEvalMode()
    {
        using var backbone = Build("R-18-FPN", 256);
        using var scope = torch.NewDisposeScope();
        var image = torch.randn(1, 3, 64, 64, generator: new Generator(5));
        backbone.Fuse();
        // Change a weight after folding: eval mode still runs the snapshot, the plain path sees the change.
        using (torch.no_grad())
            backbone.state_dict()["body.layer1.0.bn1.weight"].mul_(3);
        Tensor[] snapshot, current;
        using (torch.no_grad())
        {
            snapshot = backbone.call(image);
            backbone.Unfuse();
            current = backbone.call(image);
        }
        Assert.False(snapshot[0].allclose(current[0], rtol: 1e-3, atol: 1e-3));
    }

    [Fact]
    public void ResNetHeadFolds()
    {
        var cfg = new MaskRcnnConfig();
        using var head = ResNetHead.From(cfg);
        using (torch.no_grad())
            foreach (var (name, t) in head.state_dict())
            {
                using var values = ReferenceWeights.Values(name, t.shape)!;
                t.copy_(values);
            }
        head.eval();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var rois = torch.randn(3, 1024, 14, 14, generator: new Generator(7));
        var plain = head.call(rois);
        head.Fuse();
        Assert.True(head.IsFused);
        TensorAssert.Close(plain, head.call(rois), rtol: 1e-4, atol: 1e-4 * plain.std().item<float>());
    }
}
