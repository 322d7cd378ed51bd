using MaskRcnn.Layers;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RetinaNet;

/// <summary>
/// maskrcnn-benchmark's RetinaNetLossComputation: every anchor matched to ground truth (IoU ≥ FG_IOU_THRESHOLD its
/// gt's label, &lt; BG_IOU_THRESHOLD background, in between ignored, every gt keeping its best anchors; no straddle
/// rule); a sigmoid focal loss (LOSS_ALPHA, LOSS_GAMMA) over all anchors and classes divided by (positives + images),
/// and a smooth L1 (BBOX_REG_BETA) over the positives' deltas divided by max(1, positives × BBOX_REG_WEIGHT). With
/// torchvision's normalisation (<see cref="RetinaNetOptions.PerImageNormalization"/>) each image's two sums are divided by
/// max(1, its positives) (× BBOX_REG_WEIGHT for the box one) and the results averaged over the images.
/// </summary>
public sealed class RetinaNetLoss(RetinaNetOptions options, BoxCoder coder)
{
    readonly Matcher matcher = new(options.FgIouThreshold, options.BgIouThreshold, allowLowQualityMatches: true);

    /// <summary>Per anchor the class (1..K), 0 for background, −1 ignored; and the regression targets [M,4].</summary>
    public (Tensor Labels, Tensor Regression) Targets(Tensor anchors, BoxList target)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var gt = target.Boxes.to(anchors.device);
        if (gt.shape[0] == 0)
            return (torch.zeros(anchors.shape[0], ScalarType.Int64, anchors.device).MoveToOuterDisposeScope(),
                torch.zeros_like(anchors).MoveToOuterDisposeScope());
        var matches = matcher.Match(BoxOps.Iou(gt, anchors));
        var labels = target.Field(BoxFields.Labels).to(anchors.device).to(ScalarType.Int64)[matches.clamp_min(0)];
        labels = labels.masked_fill(matches == Matcher.BelowLowThreshold, 0).masked_fill(matches == Matcher.BetweenThresholds, -1);
        var regression = coder.Encode(gt[matches.clamp_min(0)], anchors);
        return (labels.MoveToOuterDisposeScope(), regression.MoveToOuterDisposeScope());
    }

    /// <param name="anchors">[M,4], every level concatenated.</param>
    /// <param name="logits">[N, M, K] class logits.</param>
    /// <param name="deltas">[N, M, 4].</param>
    public (Tensor Classification, Tensor Box) Compute(Tensor anchors, Tensor logits, Tensor deltas, IReadOnlyList<BoxList> targets)
    {
        if (targets.Count != logits.shape[0]) throw new ArgumentException($"{targets.Count} targets for {logits.shape[0]} images");
        var perImage = targets.Select(t => Targets(anchors, t)).ToList();
        using var labels = torch.stack(perImage.Select(p => p.Labels).ToArray());
        using var regression = torch.stack(perImage.Select(p => p.Regression).ToArray());
        foreach (var (l, r) in perImage) { l.Dispose(); r.Dispose(); }
        using var positive = labels > 0;
        if (options.PerImageNormalization) return PerImage(logits, deltas, labels, regression, positive);
        long positives = positive.sum().item<long>();
        var box = Losses.SmoothL1(deltas[positive], regression[positive], options.BoxLossBeta) / Math.Max(1.0, positives * options.BoxLossNormalizer);
        var classification = FocalLoss(logits, labels) / (positives + targets.Count);
        return (classification, box);
    }

    (Tensor Classification, Tensor Box) PerImage(Tensor logits, Tensor deltas, Tensor labels, Tensor regression, Tensor positive)
    {
        using var scope = torch.NewDisposeScope();
        long images = logits.shape[0];
        // One read of every image's positive count, not one per image.
        var counts = positive.sum(1).cpu().data<long>().ToArray();
        var classification = new List<Tensor>();
        var box = new List<Tensor>();
        for (int i = 0; i < images; i++)
        {
            double normalizer = Math.Max(1.0, counts[i]);
            classification.Add(FocalLoss(logits[i], labels[i]) / normalizer);
            box.Add(Losses.SmoothL1(deltas[i][positive[i]], regression[i][positive[i]], options.BoxLossBeta) / Math.Max(1.0, counts[i] * options.BoxLossNormalizer));
        }
        return ((torch.stack(classification).sum() / images).MoveToOuterDisposeScope(), (torch.stack(box).sum() / images).MoveToOuterDisposeScope());
    }

    /// <summary>maskrcnn-benchmark's SigmoidFocalLoss summed: label k ≥ 1 is the positive of class k and a negative of the
    /// others, 0 a negative of every class, −1 nothing.</summary>
    Tensor FocalLoss(Tensor logits, Tensor labels)
    {
        using var scope = torch.NewDisposeScope();
        long classes = logits.shape[^1];
        var classRange = torch.arange(1, classes + 1, ScalarType.Int64, logits.device);
        var oneHot = (labels.unsqueeze(-1) == classRange).to(logits.dtype);
        var counted = (labels >= 0).unsqueeze(-1).to(logits.dtype);
        var loss = Losses.SigmoidFocal(logits, oneHot, options.FocalAlpha, options.FocalGamma) * counted;
        return loss.sum().MoveToOuterDisposeScope();
    }
}
