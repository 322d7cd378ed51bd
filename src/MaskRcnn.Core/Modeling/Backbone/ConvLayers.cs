using TorchSharp;
using TorchSharp.Modules;

namespace MaskRcnn.Modeling.Backbone;

/// <summary>Convolutions initialised as maskrcnn-benchmark does (Caffe2's XavierFill is kaiming_uniform with a = 1).</summary>
public static class ConvLayers
{
    /// <summary>A k×k convolution with weights from kaiming_uniform(a = 1) and a zero bias when it has one.</summary>
    public static Conv2d KaimingUniform(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0,
        int dilation = 1, int groups = 1, bool bias = false)
    {
        var conv = torch.nn.Conv2d(inChannels, outChannels, kernelSize, stride, padding, dilation, groups: groups, bias: bias);
        torch.nn.init.kaiming_uniform_(conv.weight, a: 1);
        if (conv.bias is { } b) torch.nn.init.zeros_(b);
        return conv;
    }
}
