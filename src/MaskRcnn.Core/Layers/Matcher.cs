using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Layers;

/// <summary>
/// Assigns each prediction (anchor or proposal) to its best ground-truth box by a quality matrix
/// [G,P] (IoU). Quality ≥ high: matched (index of the gt); below low: <see cref="BelowLowThreshold"/>;
/// in between: <see cref="BetweenThresholds"/>. With low-quality matches allowed, every gt also keeps the
/// predictions that overlap it best even below the high threshold (as in Faster R-CNN's RPN), so no
/// gt goes unmatched.
/// </summary>
public sealed class Matcher(double highThreshold, double lowThreshold, bool allowLowQualityMatches)
{
    public const long BelowLowThreshold = -1;
    public const long BetweenThresholds = -2;

    public double HighThreshold { get; } = lowThreshold <= highThreshold ? highThreshold
        : throw new ArgumentException($"matcher low threshold {lowThreshold} is above the high threshold {highThreshold}");

    /// <summary>Returns [P] int64: a gt index, or −1/−2. With no gt at all, every prediction is below the low threshold.</summary>
    public Tensor Match(Tensor quality)
    {
        if (quality.dim() != 2) throw new ArgumentException($"match quality must be [G,P], got [{string.Join(",", quality.shape)}]");
        if (quality.shape[0] == 0)
            return torch.full(quality.shape[1], BelowLowThreshold, ScalarType.Int64, quality.device);
        using var scope = torch.NewDisposeScope();
        var (values, matches) = quality.max(0);
        var original = allowLowQualityMatches ? matches.clone() : null;
        matches = matches.masked_fill(values < lowThreshold, BelowLowThreshold);
        matches = matches.masked_fill((values >= lowThreshold).logical_and(values < HighThreshold), BetweenThresholds);
        if (original is not null)
        {
            // Predictions tied for the best quality of some gt get their original match back.
            var (bestPerGt, _) = quality.max(1);
            var isBest = (quality == bestPerGt[.., TensorIndex.None]).any(0);
            matches = torch.where(isBest, original, matches);
        }
        return matches.MoveToOuterDisposeScope();
    }
}
