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
        Weight = new Parameter(torch.ones(channels));
        Bias = new Parameter(torch.zeros(channels));
        register_parameter("weight", Weight);
        register_parameter("bias", Bias);
    }

    /// <summary>Parameters are registered by hand under PyTorch's names; TorchSharp would also register every
    /// parameter-typed property under its C# name.</summary>
    protected override void RegisterComponents() { }

    public Parameter Weight { get; }
    public Parameter Bias { get; }

    public override Tensor forward(Tensor input)
    {
        using var spatial = input.unsqueeze(-1);
        using var normed = nn.functional.group_norm(spatial, groups, Weight, Bias, eps);
        return normed.squeeze(-1);
    }
}
