using MaskRcnn.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Yolact;

/// <summary>
/// The convolutions of YOLACT's own layers (FPN, ProtoNet, head), initialised as the reference's init_weights:
/// xavier_uniform weights, zero bias. With GroupNorm a convolution becomes Sequential(conv without bias, GroupNorm),
/// named <c>.0</c> and <c>.1</c> as maskrcnn-benchmark's GN convolutions.
/// </summary>
public static class YolactConv
{
    public static nn.Module<Tensor, Tensor> Create(int inChannels, int outChannels, int kernelSize, int stride = 1, GroupNormFactory? groupNorm = null)
    {
        var conv = nn.Conv2d(inChannels, outChannels, kernelSize, stride, padding: (kernelSize - 1) / 2, bias: groupNorm is null);
        nn.init.xavier_uniform_(conv.weight);
        if (conv.bias is { } bias) nn.init.zeros_(bias);
        return groupNorm is null ? conv : nn.Sequential(conv, groupNorm.Create(outChannels));
    }
}
