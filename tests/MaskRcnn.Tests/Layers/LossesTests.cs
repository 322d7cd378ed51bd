using MaskRcnn.Layers;
using TorchSharp;

namespace MaskRcnn.Tests.Layers;

public class LossesTests
{
    static readonly TensorFixture Reference = TensorFixture.Load("ops/losses.json");

    [Theory]
    [InlineData("smooth_l1,beta=0.111111")]
    [InlineData("smooth_l1,beta=1")]
    public void SmoothL1MatchesTorch(string name)
    {
        var c = Reference[name];
        TensorAssert.Close(c.Tensor("sum"), Losses.SmoothL1(c.Tensor("input"), c.Tensor("target"), c.Double("beta")));
        TensorAssert.Close(c.Tensor("none"), Losses.SmoothL1Elementwise(c.Tensor("input"), c.Tensor("target"), c.Double("beta")));
    }

    [Fact]
    public void SmoothL1HandValues()
    {
        // beta 1: |d| = 0.5 → 0.125; |d| = 2 → 1.5. Sum 1.625.
        var loss = Losses.SmoothL1(torch.tensor(new float[] { 0.5f, 2f }), torch.zeros(2), 1.0);
        Assert.Equal(1.625f, loss.item<float>(), 6);
    }

    [Theory]
    [InlineData("focal,alpha=0.25,gamma=2.0")]
    [InlineData("focal,alpha=-1.0,gamma=2.0")]
    [InlineData("focal,alpha=0.5,gamma=0.0")]
    public void SigmoidFocalMatchesTorchvision(string name)
    {
        var c = Reference[name];
        var loss = Losses.SigmoidFocal(c.Tensor("logits"), c.Tensor("targets"), c.Double("alpha"), c.Double("gamma"));
        TensorAssert.Close(c.Tensor("none"), loss);
        TensorAssert.Close(c.Tensor("sum"), loss.sum());
    }

    [Fact]
    public void GeneralizedIouLossMatchesTorchvision()
    {
        var c = Reference["giou"];
        var loss = Losses.GeneralizedIou(c.Tensor("boxes1"), c.Tensor("boxes2"));
        TensorAssert.Close(c.Tensor("none"), loss, atol: 1e-6);
        TensorAssert.Close(c.Tensor("sum"), loss.sum());
    }
}
