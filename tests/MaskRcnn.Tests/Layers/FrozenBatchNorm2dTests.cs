using MaskRcnn.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Layers;

public sealed class FrozenBatchNorm2dTests
{
    static FrozenBatchNorm2d Norm(double eps)
    {
        var norm = new FrozenBatchNorm2d(2, eps);
        using var noGrad = torch.no_grad();
        var state = norm.state_dict();
        state["weight"].copy_(torch.tensor(new[] { 3f, 0.5f }));
        state["bias"].copy_(torch.tensor(new[] { 1f, -1f }));
        state["running_mean"].copy_(torch.tensor(new[] { 0.5f, -2f }));
        state["running_var"].copy_(torch.tensor(new[] { 4f, 0.25f }));
        return norm;
    }

    [Fact]
    public void HandComputedWithoutEps()
    {
        // scale = weight / sqrt(var) = (1.5, 1); shift = bias − mean·scale = (0.25, 1).
        using var norm = Norm(0);
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new[] { 1f, 2f, 3f, 4f, -1f, 0f, 5f, 8f }, [1, 2, 2, 2]);
        var expected = torch.tensor(new[] { 1.75f, 3.25f, 4.75f, 6.25f, 0f, 1f, 6f, 9f }, [1, 2, 2, 2]);
        TensorAssert.Close(expected, norm.call(x), rtol: 1e-6, atol: 1e-6);
    }

    [Fact]
    public void EpsIsAddedToTheVariance()
    {
        using var norm = Norm(1e-5);
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new[] { 2f, -3f }, [1, 2, 1, 1]);
        double s0 = 3 / Math.Sqrt(4 + 1e-5), s1 = 0.5 / Math.Sqrt(0.25 + 1e-5);
        var expected = torch.tensor(new[] { 2 * s0 + (1 - 0.5 * s0), -3 * s1 + (-1 + 2 * s1) }, [1, 2, 1, 1]);
        TensorAssert.Close(expected, norm.call(x).to(ScalarType.Float64), rtol: 1e-6, atol: 1e-7);
    }

    [Fact]
    public void EverythingIsABufferAndNothingTrains()
    {
        using var norm = Norm(0);
        Assert.Empty(norm.parameters());
        Assert.Equal(["bias", "running_mean", "running_var", "weight"], norm.state_dict().Keys.Order());
    }

    [Fact]
    public void MovesWithTheModule()
    {
        using var norm = Norm(0);
        norm.to(ScalarType.Float64);
        using var scope = torch.NewDisposeScope();
        var y = norm.call(torch.ones(1, 2, 1, 1, ScalarType.Float64));
        Assert.Equal(ScalarType.Float64, y.dtype);
        TensorAssert.Close(torch.tensor(new[] { 1.75, 2.0 }, [1, 2, 1, 1]), y, rtol: 1e-12, atol: 1e-12);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FoldingIntoAConvolutionIsTheSameFunction(bool convHasBias)
    {
        using var norm = Norm(1e-5);
        using var scope = torch.NewDisposeScope();
        var g = new Generator(11);
        var weight = torch.randn(2, 3, 3, 3, generator: g);
        var bias = convHasBias ? torch.randn(2, generator: g) : null;
        var x = torch.randn(2, 3, 9, 7, generator: g);
        var expected = norm.call(nn.functional.conv2d(x, weight, bias, padding: [1, 1]));
        var (foldedWeight, foldedBias) = norm.FoldInto(weight, bias);
        Assert.False(foldedWeight.requires_grad);
        TensorAssert.Close(expected, nn.functional.conv2d(x, foldedWeight, foldedBias, padding: [1, 1]), rtol: 1e-5, atol: 1e-5);
    }

    [Fact]
    public void RejectsTheWrongChannelCount()
    {
        using var norm = Norm(0);
        Assert.Throws<ArgumentException>(() => norm.call(torch.zeros(1, 3, 2, 2)));
        Assert.Throws<ArgumentException>(() => norm.FoldInto(torch.zeros(3, 2, 1, 1), null));
        Assert.Throws<ArgumentException>(() => new FrozenBatchNorm2d(4, -1));
    }
}
