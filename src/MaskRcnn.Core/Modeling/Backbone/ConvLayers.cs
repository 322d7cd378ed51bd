using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

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

    /// <summary>
    /// Runs a convolution. A strided 1×1 convolution without padding reads every s-th pixel, so it is run as a
    /// stride-1 1×1 convolution on the subsampled input — the same function, gradient included. Why: oneDNN's
    /// strided 1×1 backward (and its channels-last forward) sizes its blocks by the CPU cache size, which virtual
    /// machines that hide the CPUID cache leaves (the Firecracker VMs here) report as 0, and the process dies of
    /// a division by zero (SIGFPE) in ResNet's 512→1024 and 1024→2048 downsampling convolutions.
    /// </summary>
    public static Tensor Apply(Conv2d conv, Tensor input) =>
        IsStridedPointwise(conv.kernel_size, conv.stride, conv.padding)
            ? StridedPointwise(input, conv.weight, conv.bias, conv.stride, conv.dilation, conv.groups)
            : conv.call(input);

    /// <summary><see cref="Apply(Conv2d, Tensor)"/> for a convolution given by its weight and bias.</summary>
    public static Tensor Apply(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups) =>
        IsStridedPointwise([weight.size(2), weight.size(3)], stride, padding)
            ? StridedPointwise(input, weight, bias, stride, dilation, groups)
            : nn.functional.conv2d(input, weight, bias, stride, padding, dilation, groups);

    static bool IsStridedPointwise(long[] kernelSize, long[] stride, long[]? padding) =>
        kernelSize is [1, 1] && stride.Any(s => s > 1) && padding is [0, 0];

    static Tensor StridedPointwise(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] dilation, long groups)
    {
        using var subsampled = input[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(null, null, stride[0]), TensorIndex.Slice(null, null, stride[1])];
        return nn.functional.conv2d(subsampled, weight, bias, [1, 1], [0, 0], dilation, groups);
    }
}
