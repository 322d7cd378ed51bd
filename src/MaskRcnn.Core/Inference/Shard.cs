using MaskRcnn.Config;

namespace MaskRcnn.Inference;

/// <summary>
/// Part <see cref="Index"/> of <see cref="Count"/> of a dataset, for splitting inference over processes or machines:
/// a contiguous slice of the images in id order, the slices differing in size by at most one. Contiguous (rather
/// than strided) so that each shard's results are already in id order and the shards' results concatenated in
/// shard order are exactly the whole set's, as one run would give them. Every image is in exactly one shard.
/// </summary>
public sealed record Shard(int Index, int Count)
{
    public int Count { get; } = Count >= 1 ? Count : throw new ConfigException($"shard count must be at least 1, got {Count}");
    public int Index { get; } = Index >= 0 && Index < Count ? Index : throw new ConfigException($"shard index {Index} is outside 0..{Count - 1}");

    /// <summary>The one shard that is the whole dataset.</summary>
    public static Shard Whole { get; } = new(0, 1);

    /// <summary>The dataset positions [start, end) of this shard among <paramref name="total"/> images:
    /// start = ⌊Index · total / Count⌋.</summary>
    public (int Start, int End) Range(int total)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(total);
        return ((int)((long)Index * total / Count), (int)((long)(Index + 1) * total / Count));
    }

    public override string ToString() => $"shard {Index} of {Count}";
}
