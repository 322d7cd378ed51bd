using MaskRcnn.Layers;
using MaskRcnn.Modeling.Backbone;
using MaskRcnn.Modeling.Backbone.Fpn;
using MaskRcnn.Modeling.Backbone.ResNet;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling.Backbone;

public sealed class ResNetBlockTests
{
    static NormLayerFactory Frozen => NormLayers.FrozenBatchNorm(0);

    static Conv2d Conv(nn.Module module, string name) => (Conv2d)module.named_modules().Single(m => m.name == name).module;

    [Theory]
    [InlineData(true, 2, 1)]
    [InlineData(false, 1, 2)]
    public void StrideIn1x1PlacesTheStride(bool strideIn1x1, long stride1x1, long stride3x3)
    {
        using var block = new BottleneckBlock(256, 128, 512, 1, strideIn1x1, stride: 2, dilation: 1, Frozen);
        Assert.Equal([stride1x1, stride1x1], Conv(block, "conv1").stride);
        Assert.Equal([stride3x3, stride3x3], Conv(block, "conv2").stride);
        Assert.Equal([1L, 1], Conv(block, "conv3").stride);
        Assert.Equal([2L, 2], Conv(block, "downsample.0").stride);
        using var scope = torch.NewDisposeScope();
        Assert.Equal([1L, 512, 8, 12], block.call(torch.randn(1, 256, 16, 24)).shape);
    }

    [Fact]
    public void DilatedBlocksKeepTheResolution()
    {
        using var block = new BottleneckBlock(1024, 512, 2048, 1, true, stride: 2, dilation: 2, Frozen);
        Assert.Equal([1L, 1], Conv(block, "conv1").stride);
        Assert.Equal([2L, 2], Conv(block, "conv2").dilation);
        Assert.Equal([2L, 2], Conv(block, "conv2").padding!);
        Assert.Equal([1L, 1], Conv(block, "downsample.0").stride);
        using var scope = torch.NewDisposeScope();
        Assert.Equal([2L, 2048, 14, 14], block.call(torch.randn(2, 1024, 14, 14)).shape);
    }

    [Fact]
    public void ResNeXtBlocksGroupTheirThreeByThree()
    {
        using var block = new BottleneckBlock(256, 256, 256, 32, false, 1, 1, Frozen);
        Assert.Equal(32, Conv(block, "conv2").groups);
        Assert.Equal([256L, 8, 3, 3], Conv(block, "conv2").weight.shape);
        Assert.DoesNotContain(block.named_modules(), m => m.name == "downsample");
    }

    [Fact]
    public void BasicBlocksProjectOnlyWhenTheShapeChanges()
    {
        using var same = new BasicBlock(64, 64, 1, Frozen);
        using var down = new BasicBlock(64, 128, 2, Frozen);
        Assert.DoesNotContain(same.named_modules(), m => m.name == "downsample");
        Assert.Equal([2L, 2], Conv(down, "conv1").stride);
        Assert.Equal([2L, 2], Conv(down, "downsample.0").stride);
    }

    [Fact]
    public void ConvolutionsStartAsMaskRcnnBenchmarks()
    {
        // kaiming_uniform(a = 1): bound sqrt(3 / fan_in); FPN biases 0.
        using var block = new BottleneckBlock(256, 64, 256, 1, true, 1, 1, Frozen);
        var w = Conv(block, "conv2").weight;
        double bound = Math.Sqrt(3.0 / (64 * 9));
        Assert.True(w.abs().max().item<float>() <= bound);
        Assert.True(w.abs().max().item<float>() > 0.95 * bound);
        using var fpn = new FeaturePyramidNetwork([64, 128], 32, null, false, new LastLevelMaxPool());
        Assert.All(fpn.named_parameters().Where(p => p.name.EndsWith("bias")), p => Assert.Equal(0, p.parameter.abs().max().item<float>()));
    }

    [Fact]
    public void P6P7ReadsP5WhenItHasTheFpnWidth()
    {
        using var fromP5 = new LastLevelP6P7(256, 256);
        using var fromC5 = new LastLevelP6P7(2048, 256);
        Assert.True(fromP5.UsesP5);
        Assert.False(fromC5.UsesP5);
        using var scope = torch.NewDisposeScope();
        var levels = fromC5.call(torch.randn(1, 2048, 7, 9), torch.randn(1, 256, 7, 9));
        Assert.Equal([[1L, 256, 4, 5], [1L, 256, 2, 3]], levels.Select(l => l.shape));
    }

    [Fact]
    public void StridedPointwiseConvolutionsRunOnTheSubsampledInput()
    {
        var conv = ConvLayers.KaimingUniform(8, 16, 1, stride: 2, bias: true);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(2, 8, 9, 7, generator: new Generator(2)).requires_grad_();
        var direct = conv.call(x);
        var viaSubsampling = ConvLayers.Apply(conv, x);
        TensorAssert.Close(direct, viaSubsampling, rtol: 1e-6, atol: 1e-6);
        var gradDirect = torch.autograd.grad([direct.pow(2).sum()], [x, conv.weight]);
        var gradSubsampled = torch.autograd.grad([viaSubsampling.pow(2).sum()], [x, conv.weight]);
        TensorAssert.Close(gradDirect[0], gradSubsampled[0], rtol: 1e-5, atol: 1e-5);
        TensorAssert.Close(gradDirect[1], gradSubsampled[1], rtol: 1e-5, atol: 1e-5);
    }
}
