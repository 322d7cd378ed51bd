using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Backbone.ResNet;

/// <summary>
/// maskrcnn-benchmark's Bottleneck: 1×1 (conv1, bn1) → 3×3 grouped, dilated (conv2, bn2) → 1×1 (conv3, bn3), plus a
/// projection shortcut (downsample.0 conv, downsample.1 norm) when the channel count changes. The stride sits on
/// the 1×1 (stride_in_1x1, MSRA/Caffe2 weights) or on the 3×3 (torchvision, fb.torch ResNeXt). With dilation
/// above 1 the block does not downsample at all (stride 1 everywhere, shortcut included).
/// </summary>
public sealed class BottleneckBlock : ResidualBlock
{
    public BottleneckBlock(int inChannels, int bottleneckChannels, int outChannels, int groups, bool strideIn1x1,
        int stride, int dilation, NormLayerFactory norm) : base(nameof(BottleneckBlock))
    {
        if (stride < 1 || dilation < 1 || groups < 1) throw new ArgumentException($"BottleneckBlock: stride {stride}, dilation {dilation}, groups {groups} must be ≥ 1");
        if (bottleneckChannels % groups != 0) throw new ArgumentException($"BottleneckBlock: {bottleneckChannels} channels cannot be split into {groups} groups");
        (Conv2d, nn.Module<Tensor, Tensor>)? projection = null;
        if (inChannels != outChannels)
        {
            var (conv, bn, sequential) = Projection(inChannels, outChannels, dilation == 1 ? stride : 1, norm);
            register_module("downsample", sequential);
            projection = (conv, bn);
        }
        if (dilation > 1) stride = 1;
        var (stride1x1, stride3x3) = strideIn1x1 ? (stride, 1) : (1, stride);

        var conv1 = ConvLayers.KaimingUniform(inChannels, bottleneckChannels, 1, stride1x1);
        var bn1 = norm(bottleneckChannels);
        var conv2 = ConvLayers.KaimingUniform(bottleneckChannels, bottleneckChannels, 3, stride3x3, padding: dilation, dilation: dilation, groups: groups);
        var bn2 = norm(bottleneckChannels);
        var conv3 = ConvLayers.KaimingUniform(bottleneckChannels, outChannels, 1);
        var bn3 = norm(outChannels);
        register_module("conv1", conv1);
        register_module("bn1", bn1);
        register_module("conv2", conv2);
        register_module("bn2", bn2);
        register_module("conv3", conv3);
        register_module("bn3", bn3);
        SetLayers(inChannels, outChannels, [(conv1, bn1), (conv2, bn2), (conv3, bn3)], projection);
    }
}
