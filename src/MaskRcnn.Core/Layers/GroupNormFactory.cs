using MaskRcnn.Config;
using TorchSharp;
using TorchSharp.Modules;

namespace MaskRcnn.Layers;

/// <summary>
/// maskrcnn-benchmark's <c>group_norm()</c>: GroupNorm layers whose group count comes from MODEL.GROUP_NORM,
/// either a fixed number of groups (NUM_GROUPS, DIM_PER_GP = −1) or a fixed number of channels per group
/// (DIM_PER_GP, NUM_GROUPS = −1), with EPSILON. A divisor shrinks channels and both settings alike.
/// </summary>
public sealed class GroupNormFactory
{
    public GroupNormFactory(int dimPerGroup, int numGroups, double epsilon)
    {
        DimPerGroup = dimPerGroup;
        NumGroups = numGroups;
        Epsilon = epsilon;
    }

    public int DimPerGroup { get; }
    public int NumGroups { get; }
    public double Epsilon { get; }

    public static GroupNormFactory From(MaskRcnnConfig cfg) =>
        new(cfg.Model.GroupNorm.DimPerGp, cfg.Model.GroupNorm.NumGroups, cfg.Model.GroupNorm.Epsilon);

    /// <summary>The number of groups for a layer of this many channels (after the divisor).</summary>
    public int GroupCount(int channels, int divisor = 1) => GroupNormConfig.GroupCount(DimPerGroup, NumGroups, channels, divisor);

    /// <summary>A GroupNorm over <paramref name="channels"/>/<paramref name="divisor"/> channels; weight 1, bias 0.</summary>
    public GroupNorm Create(int channels, bool affine = true, int divisor = 1)
    {
        var norm = torch.nn.GroupNorm(GroupCount(channels, divisor), channels / divisor, Epsilon, affine);
        // TorchSharp 0.107 leaves GroupNorm's affine parameters uninitialised (torch.empty); PyTorch starts at 1 and 0.
        if (affine)
        {
            torch.nn.init.ones_(norm.weight);
            torch.nn.init.zeros_(norm.bias!);
        }
        return norm;
    }

    /// <summary>A GroupNorm over [N, <paramref name="channels"/>] features (after a Linear); weight 1, bias 0.</summary>
    public FeatureGroupNorm CreateForFeatures(int channels) => new(GroupCount(channels), channels, Epsilon);
}
