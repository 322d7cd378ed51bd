using MaskRcnn.Layers;
using MaskRcnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Yolact;

/// <summary>
/// YOLACT's SSD matching of one image (the reference's <c>match</c>): every anchor takes the ground truth it overlaps
/// most (IoU against the anchor's point form); then every ground truth is forced onto its best anchor, greedily from
/// the highest overlapping pair down, each forced anchor and ground truth leaving the game, and the forced anchor's
/// overlap set to 2 so no threshold removes it. Class targets: the label at overlap ≥ <see cref="PositiveThreshold"/>,
/// <see cref="Neutral"/> below it, background (0) below <see cref="NegativeThreshold"/>; non-positive anchors that a
/// crowd box covers beyond <see cref="CrowdThreshold"/> (intersection over the anchor's area) become neutral.
/// </summary>
public sealed class YolactMatcher(double positiveThreshold, double negativeThreshold, double crowdThreshold)
{
    /// <summary>Class target of an anchor neither trained as foreground nor as background.</summary>
    public const long Neutral = -1;

    public double PositiveThreshold => positiveThreshold;
    public double NegativeThreshold => negativeThreshold;
    /// <summary>1 or more turns the crowd rule off, as the reference.</summary>
    public double CrowdThreshold => crowdThreshold;

    /// <param name="truths">[G,4] ground-truth boxes, point form, relative to the input's width and height.</param>
    /// <param name="labels">[G] int64 labels 1..C−1.</param>
    /// <param name="priors">[A,4] anchors (cx, cy, w, h), relative.</param>
    /// <param name="crowds">[K,4] crowd boxes, point form, relative; null or empty for none.</param>
    /// <returns>Conf [A] int64 (label, 0 or <see cref="Neutral"/>), GtIndex [A] int64 (the matched ground truth; 0 when
    /// there is none), Loc [A,4] encoded deltas to the matched ground truth (zeros when there is none).</returns>
    public (Tensor Conf, Tensor GtIndex, Tensor Loc) Match(Tensor truths, Tensor labels, Tensor priors, Tensor? crowds)
    {
        using var scope = torch.NewDisposeScope();
        long anchors = priors.shape[0];
        var pointPriors = YolactBoxCoder.PointForm(priors);
        Tensor conf, gtIndex, loc;
        if (truths.shape[0] == 0)
        {
            // The reference needs some ground truth; an image without any is all background.
            conf = torch.zeros(anchors, ScalarType.Int64, priors.device);
            gtIndex = torch.zeros(anchors, ScalarType.Int64, priors.device);
            loc = torch.zeros_like(priors);
        }
        else
        {
            var overlaps = BoxOps.Iou(truths, pointPriors); // [G,A]
            var (bestOverlap, bestTruth) = overlaps.max(0);
            var (forcedAnchors, forcedTruths) = ForcedMatches(overlaps);
            var forcedIndex = torch.tensor(forcedAnchors, device: priors.device);
            bestOverlap = bestOverlap.index_fill(0, forcedIndex, 2);
            bestTruth = bestTruth.index_copy(0, forcedIndex, torch.tensor(forcedTruths, device: priors.device));

            conf = labels.to(ScalarType.Int64).to(priors.device).index_select(0, bestTruth);
            conf = conf.masked_fill(bestOverlap < positiveThreshold, Neutral);
            conf = conf.masked_fill(bestOverlap < negativeThreshold, 0);
            gtIndex = bestTruth;
            loc = YolactBoxCoder.Encode(truths.index_select(0, bestTruth), priors);
        }
        if (crowds is not null && crowds.shape[0] > 0 && crowdThreshold < 1)
        {
            var covered = CoveredFraction(pointPriors, crowds).amax(1); // [A]
            conf = conf.masked_fill((conf <= 0).logical_and(covered > crowdThreshold), Neutral);
        }
        return (conf.MoveToOuterDisposeScope(), gtIndex.MoveToOuterDisposeScope(), loc.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The reference's loop that forces each ground truth onto an anchor: take the (gt, anchor) pair of highest
    /// overlap among the gts and anchors not yet taken (ties: the lowest gt index, then the lowest anchor index, as
    /// torch's max), take both, repeat min(G, A) times. Runs on a CPU copy of the [G,A] overlaps, keeping each gt's best
    /// remaining anchor and rescanning a row only when its best anchor was taken.
    /// </summary>
    /// <returns>The forced anchors and, at the same positions, their ground truths.</returns>
    public static (long[] Anchors, long[] Truths) ForcedMatches(Tensor overlaps)
    {
        int g = (int)overlaps.shape[0], a = (int)overlaps.shape[1];
        int rounds = Math.Min(g, a);
        var forcedAnchors = new long[rounds];
        var forcedTruths = new long[rounds];
        if (rounds == 0) return (forcedAnchors, forcedTruths);
        using var cpu = overlaps.ToCpuContiguous(ScalarType.Float32);
        var values = cpu.AsSpan<float>();
        var anchorTaken = new bool[a];
        var truthTaken = new bool[g];
        var bestAnchor = new int[g];
        var bestValue = new float[g];
        for (int j = 0; j < g; j++) (bestAnchor[j], bestValue[j]) = BestRemaining(values.Slice(j * a, a), anchorTaken);
        for (int round = 0; round < rounds; round++)
        {
            int truth = -1;
            for (int j = 0; j < g; j++)
                if (!truthTaken[j] && (truth < 0 || bestValue[j] > bestValue[truth])) truth = j;
            int anchor = bestAnchor[truth];
            forcedAnchors[round] = anchor;
            forcedTruths[round] = truth;
            truthTaken[truth] = true;
            anchorTaken[anchor] = true;
            for (int j = 0; j < g; j++)
                if (!truthTaken[j] && bestAnchor[j] == anchor) (bestAnchor[j], bestValue[j]) = BestRemaining(values.Slice(j * a, a), anchorTaken);
        }
        return (forcedAnchors, forcedTruths);
    }

    // The first highest overlap of a gt's row among the anchors not yet taken (the reference sets taken ones to −1;
    // overlaps are ≥ 0, so a taken anchor never wins while one is left, and one is left for every round played).
    // None left (only after the last round): −1.
    static (int Anchor, float Value) BestRemaining(ReadOnlySpan<float> row, bool[] anchorTaken)
    {
        int best = -1;
        for (int i = 0; i < row.Length; i++)
            if (!anchorTaken[i] && (best < 0 || row[i] > row[best])) best = i;
        return best < 0 ? (-1, float.NegativeInfinity) : (best, row[best]);
    }

    /// <summary>[A,K]: the fraction of each anchor's area inside each crowd box (the reference's jaccard with iscrowd).</summary>
    static Tensor CoveredFraction(Tensor anchors, Tensor crowds)
    {
        var lt = torch.max(anchors[.., TensorIndex.None, ..2], crowds[.., ..2]);
        var rb = torch.min(anchors[.., TensorIndex.None, 2..], crowds[.., 2..]);
        var wh = (rb - lt).clamp_min(0);
        return wh[.., .., 0] * wh[.., .., 1] / BoxOps.Area(anchors)[.., TensorIndex.None];
    }
}
