using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Layers;

/// <summary>
/// GroupNorm over [N, C] features, as maskrcnn-benchmark's make_fc puts one after a Linear under USE_GN. TorchSharp's
/// GroupNorm module refuses inputs without a spatial dimension, so the features pass as [N, C, 1] (the same
/// statistics). Parameters <c>weight</c> (1) and <c>bias</c> (0) as PyTorch's GroupNorm names and starts them.
/// </summary>
public sealed class FeatureGroupNorm : nn.Module<Tensor, Tensor>
{
    readonly long groups;
    readonly double eps;

    public FeatureGroupNorm(long groups, long channels, double eps) : base(nameof(FeatureGroupNorm))
    {
        if (groups < 1 || channels % groups != 0) throw new ArgumentException($"FeatureGroupNorm: {channels} channels do not split into {groups} groups");
        this.groups = groups;
        this.eps = eps;
        weight = new Parameter(torch.ones(channels));
        bias = new Parameter(torch.zeros(channels));
        RegisterComponents();
    }

    // Fields, named as PyTorch names them: TorchSharp registers a module's fields under their own names.
#pragma warning disable IDE1006
    public readonly Parameter weight;
    public readonly Parameter bias;
#pragma warning restore IDE1006

    public override Tensor forward(Tensor input)
    {
        using var spatial = input.unsqueeze(-1);
        using var normed = nn.functional.group_norm(spatial, groups, weight, bias, eps);
        return normed.squeeze(-1);
    }
}
