using MaskRcnn.Layers;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RoiHeads;

/// <summary>
/// Chooses the RoIs the heads train on, as maskrcnn-benchmark's FastRCNNLossComputation.subsample: ground-truth
/// boxes join the proposals, each proposal is matched to a gt (IoU ≥ FG_IOU_THRESHOLD foreground, below
/// BG_IOU_THRESHOLD background, no low-quality matches), and a balanced sample is drawn per image. Sampled RoIs
/// carry "labels" (0 for background), "regression_targets" and "matched_idxs".
/// </summary>
public sealed class RoiSampler(RoiHeadsOptions options, BoxCoder coder)
{
    readonly Matcher matcher = new(options.FgIouThreshold, options.BgIouThreshold, allowLowQualityMatches: false);
    readonly BalancedPositiveNegativeSampler sampler = new(options.BatchSizePerImage, options.PositiveFraction);

    public List<BoxList> Sample(IReadOnlyList<BoxList> proposals, IReadOnlyList<BoxList> targets, IReadOnlyList<Generator>? generators)
    {
        var result = new List<BoxList>(proposals.Count);
        using var _ = torch.no_grad();
        for (int i = 0; i < proposals.Count; i++)
        {
            var target = targets[i];
            var device = proposals[i].Boxes.device;
            var gt = target.Boxes.to(device);
            var boxes = torch.cat([proposals[i].Boxes, gt], 0);
            var matches = matcher.Match(BoxOps.Iou(gt, boxes));
            var gtLabels = target.Field(BoxFields.Labels).to(device);
            var labels = gt.shape[0] > 0 ? gtLabels[matches.clamp_min(0)] : torch.zeros(boxes.shape[0], ScalarType.Int64, device);
            labels = labels.masked_fill(matches == Matcher.BelowLowThreshold, 0);
            labels = labels.masked_fill(matches == Matcher.BetweenThresholds, -1);
            var matchedGt = gt.shape[0] > 0 ? gt[matches.clamp_min(0)] : torch.zeros_like(boxes);
            var (pos, neg) = sampler.Sample(labels, generators?[i]);
            var keep = torch.nonzero(pos.logical_or(neg)).flatten();
            var sampledBoxes = boxes[keep];
            result.Add(new BoxList(sampledBoxes, proposals[i].Size)
                .With(BoxFields.Labels, labels[keep])
                .With(BoxFields.RegressionTargets, coder.Encode(matchedGt[keep], sampledBoxes))
                .With(BoxFields.MatchedIndices, matches[keep]));
        }
        return result;
    }
}
