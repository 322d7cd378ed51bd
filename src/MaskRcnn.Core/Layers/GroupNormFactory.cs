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
    public int GroupCount(int channels, int divisor = 1)
    {
        if (divisor <= 0) throw new ArgumentException($"GroupNorm divisor must be positive, got {divisor}");
        channels /= divisor;
        // Python floor division, as maskrcnn-benchmark: -1 // 2 stays -1.
        int dimPerGroup = FloorDiv(DimPerGroup, divisor), numGroups = FloorDiv(NumGroups, divisor);
        if (dimPerGroup != -1 && numGroups != -1)
            throw new ConfigException($"MODEL.GROUP_NORM: set either DIM_PER_GP or NUM_GROUPS to -1 (got DIM_PER_GP {DimPerGroup}, NUM_GROUPS {NumGroups})");
        if (dimPerGroup > 0)
        {
            if (channels % dimPerGroup != 0)
                throw new ConfigException($"MODEL.GROUP_NORM.DIM_PER_GP: {channels} channels are not divisible by {dimPerGroup}");
            return channels / dimPerGroup;
        }
        if (numGroups <= 0 || channels % numGroups != 0)
            throw new ConfigException($"MODEL.GROUP_NORM.NUM_GROUPS: {channels} channels cannot be split into {numGroups} groups");
        return numGroups;
    }

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

    static int FloorDiv(int a, int b) => (int)Math.Floor((double)a / b);
}
