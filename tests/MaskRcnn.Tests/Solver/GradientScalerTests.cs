using MaskRcnn.Solver;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Solver;

/// <summary>Dynamic loss scaling as PyTorch's GradScaler: true gradients after unscaling, skipped steps that halve the
/// scale on overflow, growth after a run of clean steps.</summary>
public class GradientScalerTests
{
    static (nn.Module<Tensor, Tensor> Model, TorchSharp.Modules.SGD Optimizer) Tiny()
    {
        var model = nn.Linear(3, 1);
        using (no_grad())
        {
            model.weight!.copy_(tensor(new float[] { 0.5f, -1f, 2f }).view(1, 3));
            model.bias!.fill_(0.25f);
        }
        return (model, optim.SGD(model.parameters(), 0.1));
    }

    [Fact]
    public void UnscaledGradientsAreTheTrueOnes()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1, 2, 3, 4, 5, 6 }).view(2, 3);
        var (plain, _) = Tiny();
        plain.forward(x).square().sum().backward();
        var (scaled, optimizer) = Tiny();
        var scaler = new GradientScaler(initialScale: 1024);
        scaler.ScaleLoss(scaled.forward(x).square().sum()).backward();
        Assert.True(scaler.Unscale(optimizer));
        // A power-of-two scale divides back exactly.
        Assert.Equal(plain.parameters().First().grad!.data<float>().ToArray(), scaled.parameters().First().grad!.data<float>().ToArray());
    }

    [Fact]
    public void AnOverflowSkipsTheStepAndHalvesTheScale()
    {
        using var scope = NewDisposeScope();
        var (model, optimizer) = Tiny();
        var before = model.parameters().Select(p => p.detach().clone()).ToList();
        var scaler = new GradientScaler(initialScale: 8);
        scaler.ScaleLoss(model.forward(torch.full(1, 3, float.PositiveInfinity)).sum()).backward();
        bool finite = scaler.Unscale(optimizer);
        Assert.False(finite);
        Assert.False(scaler.Step(optimizer, finite));
        Assert.Equal(4, scaler.Scale);
        foreach (var (p, b) in model.parameters().Zip(before)) Assert.True(p.eq(b).all().item<bool>());
    }

    [Fact]
    public void TheScaleGrowsAfterARunOfCleanSteps()
    {
        using var scope = NewDisposeScope();
        var (model, optimizer) = Tiny();
        var scaler = new GradientScaler(initialScale: 2, growthFactor: 2, backoffFactor: 0.5, growthInterval: 3);
        for (int step = 1; step <= 4; step++)
        {
            optimizer.zero_grad();
            scaler.ScaleLoss(model.forward(torch.ones(1, 3)).sum()).backward();
            Assert.True(scaler.Step(optimizer, scaler.Unscale(optimizer)));
            Assert.Equal(step < 3 ? 2 : 4, scaler.Scale);
            Assert.Equal(step % 3, scaler.GrowthTracker);
        }
    }
}
