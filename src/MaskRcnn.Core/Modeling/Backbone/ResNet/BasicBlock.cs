using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Backbone.ResNet;

/// <summary>
/// torchvision's BasicBlock (ResNet-18/34): 3×3 (conv1, bn1, carrying the stride) → 3×3 (conv2, bn2), plus a
/// projection shortcut (downsample.0, downsample.1) when the stride or the channel count changes. Not part of
/// maskrcnn-benchmark; named the same way so the two ResNet families load alike.
/// </summary>
public sealed class BasicBlock : ResidualBlock
{
    public BasicBlock(int inChannels, int outChannels, int stride, NormLayerFactory norm) : base(nameof(BasicBlock))
    {
        if (stride < 1) throw new ArgumentException($"BasicBlock: stride must be ≥ 1, got {stride}");
        var conv1 = ConvLayers.KaimingUniform(inChannels, outChannels, 3, stride, padding: 1);
        var bn1 = norm(outChannels);
        var conv2 = ConvLayers.KaimingUniform(outChannels, outChannels, 3, 1, padding: 1);
        var bn2 = norm(outChannels);
        register_module("conv1", conv1);
        register_module("bn1", bn1);
        register_module("conv2", conv2);
        register_module("bn2", bn2);
        (TorchSharp.Modules.Conv2d, nn.Module<Tensor, Tensor>)? projection = null;
        if (stride != 1 || inChannels != outChannels)
        {
            var (conv, bn, sequential) = Projection(inChannels, outChannels, stride, norm);
            register_module("downsample", sequential);
            projection = (conv, bn);
        }
        SetLayers(inChannels, outChannels, [(conv1, bn1), (conv2, bn2)], projection);
    }
}
