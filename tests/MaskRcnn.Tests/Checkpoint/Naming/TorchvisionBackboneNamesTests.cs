using MaskRcnn.Checkpoint.Naming;

namespace MaskRcnn.Tests.Checkpoint.Naming;

public sealed class TorchvisionBackboneNamesTests
{
    [Theory]
    [InlineData("body.conv1.weight", "body.stem.conv1.weight")]
    [InlineData("body.bn1.running_var", "body.stem.bn1.running_var")]
    [InlineData("body.layer1.0.downsample.1.bias", "body.layer1.0.downsample.1.bias")]
    [InlineData("body.layer3.22.conv2.weight", "body.layer3.22.conv2.weight")]
    [InlineData("fpn.inner_blocks.0.0.weight", "fpn.fpn_inner1.weight")]
    [InlineData("fpn.inner_blocks.3.bias", "fpn.fpn_inner4.bias")]
    [InlineData("fpn.layer_blocks.2.0.bias", "fpn.fpn_layer3.bias")]
    [InlineData("fpn.extra_blocks.p6.weight", "fpn.top_blocks.p6.weight")]
    [InlineData("backbone.body.conv1.weight", "backbone.body.stem.conv1.weight")]
    [InlineData("backbone.fpn.layer_blocks.0.0.weight", "backbone.fpn.fpn_layer1.weight")]
    [InlineData("conv1.weight", "body.stem.conv1.weight")]
    [InlineData("bn1.bias", "body.stem.bn1.bias")]
    [InlineData("layer4.2.bn3.running_mean", "body.layer4.2.bn3.running_mean")]
    [InlineData("features.28.bias", "body.features.28.bias")]
    public void MapsToMaskRcnnBenchmarkNames(string torchvision, string ours) =>
        Assert.Equal(ours, TorchvisionBackboneNames.ToMaskRcnn(torchvision));

    [Theory]
    [InlineData("fpn.inner_blocks.0.0.weight", "fpn.fpn_inner1.0.weight")]
    [InlineData("fpn.inner_blocks.0.1.weight", "fpn.fpn_inner1.1.weight")]
    [InlineData("fpn.layer_blocks.3.1.bias", "fpn.fpn_layer4.1.bias")]
    [InlineData("fpn.layer_blocks.1.weight", "fpn.fpn_layer2.0.weight")]
    public void FpnWithGroupNormOrReluNestsTheConvolution(string torchvision, string ours) =>
        Assert.Equal(ours, TorchvisionBackboneNames.ToMaskRcnn(torchvision, fpnConvsInSequential: true));

    [Theory]
    [InlineData("body.bn1.num_batches_tracked")]
    [InlineData("layer1.0.bn1.num_batches_tracked")]
    [InlineData("fc.weight")]
    [InlineData("classifier.6.bias")]
    public void TensorsWeDoNotHaveMapToNothing(string torchvision) =>
        Assert.Null(TorchvisionBackboneNames.ToMaskRcnn(torchvision));

    [Theory]
    [InlineData("rpn.head.conv.0.0.weight")]
    [InlineData("body.layer5.0.conv1.weight")]
    [InlineData("fpn.inner_blocks.0.1.weight")] // a GroupNorm, but our FPN would have none
    public void OtherNamesAreErrors(string torchvision) =>
        Assert.Throws<ArgumentException>(() => TorchvisionBackboneNames.ToMaskRcnn(torchvision));
}
