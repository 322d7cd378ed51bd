using MaskRcnn.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Native;

/// <summary>LibTorch's autocast reached through its exported switches: on inside the scope, on this thread only, and
/// restored after.</summary>
public class AutocastTests
{
    [Fact]
    public void ConvolutionsRunInTheLowerPrecisionInsideTheScopeOnly()
    {
        Assert.True(Autocast.IsAvailable);
        using var scope = NewDisposeScope();
        var conv = nn.Conv2d(3, 4, 3);
        var x = torch.randn(2, 3, 8, 8);
        Assert.Equal(ScalarType.Float32, conv.forward(x).dtype);
        using (Autocast.Enter(DeviceType.CPU, ScalarType.BFloat16))
        {
            Assert.True(Autocast.IsEnabled(DeviceType.CPU));
            var y = conv.forward(x);
            Assert.Equal(ScalarType.BFloat16, y.dtype);
            // Weights stay float32, and so do their gradients.
            y.to(ScalarType.Float32).sum().backward();
            Assert.Equal(ScalarType.Float32, conv.weight!.grad!.dtype);
            // Other threads are untouched (autocast is thread-local).
            bool elsewhere = true;
            var thread = new Thread(() => elsewhere = Autocast.IsEnabled(DeviceType.CPU));
            thread.Start();
            thread.Join();
            Assert.False(elsewhere);
        }
        Assert.False(Autocast.IsEnabled(DeviceType.CPU));
        Assert.Equal(ScalarType.Float32, conv.forward(x).dtype);
    }

    [Fact]
    public void NestedScopesLastUntilTheOutermostEnds()
    {
        using var scope = NewDisposeScope();
        var linear = nn.Linear(4, 2);
        var x = torch.randn(3, 4);
        using (Autocast.Enter(DeviceType.CPU, ScalarType.BFloat16))
        {
            using (Autocast.Enter(DeviceType.CPU, ScalarType.BFloat16))
                Assert.Equal(ScalarType.BFloat16, linear.forward(x).dtype);
            Assert.Equal(ScalarType.BFloat16, linear.forward(x).dtype);
        }
        Assert.Equal(ScalarType.Float32, linear.forward(x).dtype);
    }

    [Fact]
    public void LeavingTheScopeDropsCachedLowPrecisionWeights()
    {
        // Autocast caches the bfloat16 copy of each weight while a scope is open; an optimizer step between two
        // scopes must be seen by the second one.
        using var scope = NewDisposeScope();
        var linear = nn.Linear(4, 1, hasBias: false);
        using (torch.no_grad()) linear.weight!.fill_(1);
        var x = torch.ones(1, 4);
        float before, after;
        using (Autocast.Enter(DeviceType.CPU, ScalarType.BFloat16)) before = linear.forward(x).to(ScalarType.Float32).item<float>();
        using (torch.no_grad()) linear.weight!.fill_(2);
        using (Autocast.Enter(DeviceType.CPU, ScalarType.BFloat16)) after = linear.forward(x).to(ScalarType.Float32).item<float>();
        Assert.Equal(4f, before);
        Assert.Equal(8f, after);
    }

    [Fact]
    public void OnlyLowerPrecisionsAreAccepted() =>
        Assert.Throws<ArgumentException>(() => Autocast.Enter(DeviceType.CPU, ScalarType.Float64));
}
