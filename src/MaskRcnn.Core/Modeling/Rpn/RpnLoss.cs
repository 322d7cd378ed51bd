using MaskRcnn.Layers;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Rpn;

/// <summary>
/// The RPN's training loss as maskrcnn-benchmark computes it: anchors matched to ground truth (IoU ≥ 0.7
/// positive, &lt; 0.3 negative, every gt keeping its best anchors), anchors straddling the image ignored, a balanced
/// sample per image; objectness by binary cross-entropy averaged over the sample, boxes by smooth L1 (β = 1/9)
/// summed over positives and divided by the sample size.
/// </summary>
public sealed class RpnLoss(RpnOptions options, BoxCoder coder, AnchorGenerator anchors)
{
    const double Beta = 1.0 / 9;
    readonly Matcher matcher = new(options.FgIouThreshold, options.BgIouThreshold, allowLowQualityMatches: true);
    readonly BalancedPositiveNegativeSampler sampler = new(options.BatchSizePerImage, options.PositiveFraction);

    /// <param name="allAnchors">[M,4], every level concatenated.</param>
    /// <param name="objectness">[N, M] logits.</param>
    /// <param name="deltas">[N, M, 4].</param>
    public (Tensor Objectness, Tensor Box) Compute(Tensor allAnchors, Tensor objectness, Tensor deltas, IReadOnlyList<BoxList> targets, IReadOnlyList<Generator>? generators)
    {
        var sampledPos = new List<Tensor>();
        var sampledAll = new List<Tensor>();
        var labels = new List<Tensor>();
        var regression = new List<Tensor>();
        using (torch.no_grad())
        {
            for (int i = 0; i < targets.Count; i++)
            {
                var target = targets[i];
                var gt = target.Boxes.to(allAnchors.device);
                var matches = matcher.Match(BoxOps.Iou(gt, allAnchors));
                var label = (matches >= 0).to(ScalarType.Float32);
                label = label.masked_fill(matches == Matcher.BetweenThresholds, -1);
                label = label.masked_fill(anchors.Visible(allAnchors, target.Size).logical_not(), -1);
                var matchedGt = gt.shape[0] > 0 ? gt[matches.clamp_min(0)] : torch.zeros_like(allAnchors);
                var (pos, neg) = sampler.Sample(label.to(ScalarType.Int64), generators?[i]);
                sampledPos.Add(pos);
                sampledAll.Add(pos.logical_or(neg));
                labels.Add(label);
                regression.Add(coder.Encode(matchedGt, allAnchors));
            }
        }
        var positive = torch.stack(sampledPos);
        var sampled = torch.stack(sampledAll);
        long count = Math.Max(1, sampled.sum().item<long>());
        var objectnessLoss = nn.functional.binary_cross_entropy_with_logits(objectness[sampled], torch.stack(labels)[sampled]);
        var boxLoss = Losses.SmoothL1(deltas[positive], torch.stack(regression)[positive], Beta) / count;
        return (objectnessLoss, boxLoss);
    }
}
