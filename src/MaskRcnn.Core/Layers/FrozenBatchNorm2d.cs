using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Layers;

/// <summary>
/// BatchNorm2d with fixed statistics and affine terms: y = x·scale + shift per channel, with
/// scale = weight·rsqrt(running_var + eps) and shift = bias − running_mean·scale. All four are buffers, so they
/// are saved and loaded but never trained. eps is 0 in maskrcnn-benchmark (Caffe2 weights carry it already) and
/// 1e-5 for torchvision's BatchNorm2d in eval mode.
/// </summary>
public sealed class FrozenBatchNorm2d : nn.Module<Tensor, Tensor>
{
    // Field names are the state-dict names: TorchSharp re-binds buffer fields by name when the module moves.
    Tensor weight, bias, running_mean, running_var;

    public FrozenBatchNorm2d(long channels, double eps) : base(nameof(FrozenBatchNorm2d))
    {
        if (channels <= 0) throw new ArgumentException($"FrozenBatchNorm2d: channels must be positive, got {channels}");
        if (!(eps >= 0)) throw new ArgumentException($"FrozenBatchNorm2d: eps must be ≥ 0, got {eps}");
        Channels = channels;
        Eps = eps;
        weight = torch.ones(channels).DetachFromDisposeScope();
        bias = torch.zeros(channels).DetachFromDisposeScope();
        running_mean = torch.zeros(channels).DetachFromDisposeScope();
        running_var = torch.ones(channels).DetachFromDisposeScope();
        register_buffer("weight", weight);
        register_buffer("bias", bias);
        register_buffer("running_mean", running_mean);
        register_buffer("running_var", running_var);
    }

    public long Channels { get; }
    public double Eps { get; }

    /// <summary>Per-channel (scale, shift) with y = x·scale + shift.</summary>
    public (Tensor Scale, Tensor Shift) ScaleAndShift()
    {
        using var scope = torch.NewDisposeScope();
        var scale = weight * (running_var + Eps).rsqrt();
        var shift = bias - running_mean * scale;
        return (scale.MoveToOuterDisposeScope(), shift.MoveToOuterDisposeScope());
    }

    public override Tensor forward(Tensor input)
    {
        if (input.dim() != 4 || input.size(1) != Channels)
            throw new ArgumentException($"FrozenBatchNorm2d({Channels}): expected [N, {Channels}, H, W], got [{string.Join(", ", input.shape)}]");
        using var scope = torch.NewDisposeScope();
        var (scale, shift) = ScaleAndShift();
        return torch.addcmul(shift.view(1, -1, 1, 1), input, scale.view(1, -1, 1, 1), 1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The weight and bias of one convolution equal to the given convolution followed by this norm:
    /// W' = W·scale (per output channel), b' = b·scale + shift. Detached from autograd: an inference snapshot.
    /// </summary>
    public (Tensor Weight, Tensor Bias) FoldInto(Tensor convWeight, Tensor? convBias)
    {
        if (convWeight.size(0) != Channels)
            throw new ArgumentException($"FrozenBatchNorm2d({Channels}): cannot fold into a convolution with {convWeight.size(0)} output channels");
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var (scale, shift) = ScaleAndShift();
        var shape = new long[convWeight.dim()];
        Array.Fill(shape, 1L);
        shape[0] = -1;
        var folded = convWeight * scale.view(shape);
        var foldedBias = convBias is null ? shift : torch.addcmul(shift, convBias, scale, 1);
        return (folded.detach().MoveToOuterDisposeScope(), foldedBias.detach().MoveToOuterDisposeScope());
    }
}
