using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Layers;

/// <summary>
/// The FPN paper's rule (its Eqn. 1) for which pyramid level a box is pooled from, as torchvision's LevelMapper:
/// level = floor(canonical_level + log2(sqrt(area) / canonical_scale) + eps), clamped to [k_min, k_max], with
/// area = (x2 − x1)(y2 − y1). Computed with tensor ops in the boxes' dtype, as torchvision does.
/// </summary>
public sealed class LevelMapper(int minLevel, int maxLevel, int canonicalScale = 224, int canonicalLevel = 4, double eps = 1e-6)
{
    public int MinLevel { get; } = minLevel;
    public int MaxLevel { get; } = maxLevel;

    /// <summary>The levels k_min..k_max of feature maps with these spatial scales (2^−k each, finest first).</summary>
    public static LevelMapper ForScales(IReadOnlyList<double> scales, int canonicalScale = 224, int canonicalLevel = 4) =>
        new(LevelOf(scales[0]), LevelOf(scales[^1]), canonicalScale, canonicalLevel);

    // torchvision: int(-log2(float32(scale))).
    static int LevelOf(double scale) => (int)-MathF.Log2((float)scale);

    /// <param name="boxes">[K, 4] boxes (x1, y1, x2, y2) in image coordinates.</param>
    /// <returns>int64 [K]: each box's level minus k_min, an index into the feature levels.</returns>
    public Tensor Map(Tensor boxes)
    {
        if (boxes.dim() != 2 || boxes.size(1) != 4)
            throw new ArgumentException($"LevelMapper: boxes must be [K, 4], got [{string.Join(", ", boxes.shape)}]");
        using var scope = torch.NewDisposeScope();
        var area = (boxes.select(1, 2) - boxes.select(1, 0)) * (boxes.select(1, 3) - boxes.select(1, 1));
        var level = torch.log2(area.sqrt() / canonicalScale) + canonicalLevel + torch.tensor(eps, boxes.dtype, boxes.device);
        return (level.floor().clamp(MinLevel, MaxLevel).to(ScalarType.Int64) - MinLevel).MoveToOuterDisposeScope();
    }
}
