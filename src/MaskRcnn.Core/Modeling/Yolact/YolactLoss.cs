using MaskRcnn.Layers;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using MaskRcnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MaskRcnn.Modeling.Yolact;

/// <summary>
/// YOLACT's training loss as dbolya/yolact's <c>MultiBoxLoss</c> computes it with <c>yolact_base_config</c>:
/// <list type="bullet">
/// <item><see cref="BoxLoss"/>: smooth L1 (β = 1) of the positives' deltas, summed.</item>
/// <item><see cref="ClassLoss"/>: cross-entropy summed over the positives and, per image, the min(ratio·P, A−1)
/// hardest negatives (OHEM, ranked by logsumexp(conf) − conf[background]); neutral anchors never count.</item>
/// <item><see cref="MaskLoss"/>: per positive, BCE of σ(prototypes·coefficients) cropped by its ground-truth box
/// against the ground-truth mask at prototype resolution (bilinear, > 0.5), summed and divided by the box's area in
/// prototype cells; at most MASKS_TO_TRAIN masks per image, drawn at random and scaled back up.</item>
/// <item><see cref="SemanticLoss"/> (when the predictions have semantic logits): BCE-with-logits of P3's per-class
/// maps against the union of each class's ground-truth masks, summed per image and divided by the map's area.</item>
/// </list>
/// Box, class and mask losses are divided by the batch's positive count, the semantic loss by the batch size. A batch
/// with no positive at all (the reference divides 0 by 0 there) gives box, class and mask losses of exactly 0,
/// still attached to the predictions so a backward pass works.
/// </summary>
public sealed class YolactLoss(YolactLossOptions options)
{
    public const string BoxLoss = "loss_box", ClassLoss = "loss_cls", MaskLoss = "loss_mask", SemanticLoss = "loss_semantic";

    readonly YolactMatcher matcher = new(options.PositiveIouThreshold, options.NegativeIouThreshold, options.CrowdIouThreshold);

    public YolactLossOptions Options => options;

    /// <param name="targets">Per image: boxes in pixels of the padded batch input (the image at its top left), with
    /// <see cref="BoxFields.Labels"/> 1..C−1, <see cref="BoxFields.Masks"/> and optionally <see cref="BoxFields.IsCrowd"/>
    /// (crowd boxes only make anchors neutral).</param>
    /// <param name="paddedHeight">Height of the padded input the priors and prototypes cover.</param>
    /// <param name="paddedWidth">Width of the padded input.</param>
    /// <param name="generator">Draws the masks trained when an image has more than MASKS_TO_TRAIN positives.</param>
    public Dictionary<string, Tensor> Compute(YolactPredictions p, IReadOnlyList<BoxList> targets, int paddedHeight, int paddedWidth, IReadOnlyList<Generator>? generators)
    {
        long batch = p.Loc.shape[0], classes = p.Conf.shape[2];
        if (batch == 0) throw new ArgumentException("an empty batch has no loss", nameof(p));
        if (targets.Count != batch) throw new ArgumentException($"{targets.Count} targets for a batch of {batch} images", nameof(targets));
        var device = p.Loc.device;
        var truths = new GroundTruth[batch];
        var confs = new Tensor[batch];
        var gtIndices = new Tensor[batch];
        var locs = new Tensor[batch];
        using (torch.no_grad())
        {
            var priors = p.Priors.to(device);
            for (int i = 0; i < batch; i++)
            {
                truths[i] = GroundTruth.Of(targets[i], i, paddedHeight, paddedWidth, classes, device);
                (confs[i], gtIndices[i], locs[i]) = matcher.Match(truths[i].Boxes, truths[i].Labels, priors, truths[i].Crowds);
            }
        }
        var confT = torch.stack(confs);
        var gtIndexT = torch.stack(gtIndices);
        var locT = torch.stack(locs);
        var positive = confT > 0;
        double positives = Math.Max(1, positive.sum().item<long>());

        var losses = new Dictionary<string, Tensor>
        {
            [BoxLoss] = Losses.SmoothL1(p.Loc[positive], locT[positive], 1.0) * (options.BoxLossWeight / positives),
        };
        var chosen = positive.logical_or(HardNegatives(p.Conf, confT, positive, options.NegPosRatio));
        losses[ClassLoss] = F.cross_entropy(p.Conf[chosen], confT[chosen], reduction: nn.Reduction.Sum) * (options.ClassLossWeight / positives);
        losses[MaskLoss] = MaskLossSum(p, positive, gtIndexT, truths, generators) * (options.MaskLossWeight / positives);
        if (p.Semantic is not null)
            losses[SemanticLoss] = SemanticLossSum(p.Semantic, truths) * (options.SemanticLossWeight / batch);
        return losses;
    }

    /// <summary>
    /// OHEM's negatives, [N,A] bool: per image the min(<paramref name="ratio"/>·P, A−1) anchors ranked highest by
    /// logsumexp(conf) − conf[0] once positives and neutrals are ranked as 0; positives and neutrals are then dropped
    /// (when there are too few negatives to fill the quota, fewer are taken).
    /// </summary>
    public static Tensor HardNegatives(Tensor conf, Tensor confT, Tensor positive, int ratio)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        long anchors = conf.shape[1];
        var ignored = positive.logical_or(confT < 0);
        var background = conf.detach();
        var hardness = (torch.logsumexp(background, -1) - background[.., .., 0]).masked_fill(ignored, 0);
        var order = hardness.sort(1, descending: true, stable: true).Indices;
        var rank = order.argsort(1);
        var quota = (positive.sum(1, keepdim: true) * ratio).clamp_max(anchors - 1);
        return (rank < quota).logical_and(ignored.logical_not()).MoveToOuterDisposeScope();
    }

    Tensor MaskLossSum(YolactPredictions p, Tensor positive, Tensor gtIndexT, GroundTruth[] truths, IReadOnlyList<Generator>? generators)
    {
        long maskH = p.Prototypes.shape[1], maskW = p.Prototypes.shape[2];
        // Starts from the (empty) positives' coefficients so that a batch without positives still has a graph.
        var total = p.Coeffs[positive].sum() * 0;
        for (int i = 0; i < truths.Length; i++)
        {
            using var scope = torch.NewDisposeScope();
            var current = positive[i];
            var gtIndex = gtIndexT[i][current];
            long count = gtIndex.shape[0];
            if (count == 0) continue;
            var coefficients = p.Coeffs[i][current];
            if (count > options.MasksToTrain)
            {
                var pick = torch.randperm(count, generator: generators?[i]).narrow(0, 0, options.MasksToTrain).to(gtIndex.device);
                coefficients = coefficients.index_select(0, pick);
                gtIndex = gtIndex.index_select(0, pick);
            }
            Tensor target, boxes;
            using (torch.no_grad())
            {
                target = truths[i].MasksAt(maskH, maskW).permute(1, 2, 0).index_select(2, gtIndex); // [h,w,n]
                boxes = truths[i].Boxes.index_select(0, gtIndex);
            }
            var predicted = YolactMaskCrop.Crop(torch.sigmoid(p.Prototypes[i].matmul(coefficients.t())), boxes);
            var bce = F.binary_cross_entropy(predicted.clamp(0, 1), target, reduction: nn.Reduction.None);
            // The reference multiplies by h·w here and divides the sum by h·w again: they cancel.
            var boxArea = (boxes[.., 2] - boxes[.., 0]) * maskW * ((boxes[.., 3] - boxes[.., 1]) * maskH);
            var perMask = bce.sum([0, 1]) / boxArea;
            var loss = perMask.sum();
            if (count > options.MasksToTrain) loss *= (double)count / options.MasksToTrain;
            total = (total + loss).MoveToOuterDisposeScope();
        }
        return total;
    }

    static Tensor SemanticLossSum(Tensor semantic, GroundTruth[] truths)
    {
        long channels = semantic.shape[1], h = semantic.shape[2], w = semantic.shape[3];
        Tensor? total = null;
        for (int i = 0; i < truths.Length; i++)
        {
            using var scope = torch.NewDisposeScope();
            Tensor target;
            using (torch.no_grad())
            {
                var truth = truths[i];
                target = truth.Labels.shape[0] == 0
                    ? torch.zeros([channels, h, w], semantic.dtype, semantic.device)
                    : (F.one_hot(truth.Labels - 1, channels).to(semantic.dtype)[.., .., TensorIndex.None, TensorIndex.None]
                       * truth.MasksAt(h, w)[.., TensorIndex.None]).amax(0);
            }
            var loss = F.binary_cross_entropy_with_logits(semantic[i], target, reduction: nn.Reduction.Sum);
            total = (total is null ? loss : total + loss).MoveToOuterDisposeScope();
        }
        return total! / (h * w);
    }

    /// <summary>One image's ground truth for the loss: relative boxes, labels, masks over the padded input; crowds apart.</summary>
    sealed record GroundTruth(Tensor Boxes, Tensor Labels, Tensor? Masks, Tensor? Crowds)
    {
        public static GroundTruth Of(BoxList target, int image, int paddedHeight, int paddedWidth, long classes, Device device)
        {
            using var scope = torch.NewDisposeScope();
            if (target.Size.Height > paddedHeight || target.Size.Width > paddedWidth)
                throw new ArgumentException($"image {image} is {target.Size} but the padded input is {paddedHeight}x{paddedWidth}");
            var scale = torch.tensor(new float[] { paddedWidth, paddedHeight, paddedWidth, paddedHeight }, device: device);
            var boxes = target.Boxes.to(ScalarType.Float32).to(device) / scale;
            var labels = target.Field(BoxFields.Labels).to(ScalarType.Int64).to(device);
            var crowd = target.Has(BoxFields.IsCrowd) ? target.Field(BoxFields.IsCrowd).to(ScalarType.Bool).cpu() : torch.zeros(target.Count, ScalarType.Bool);
            var kept = crowd.logical_not().nonzero().flatten();
            var crowdBoxes = boxes.index_select(0, crowd.nonzero().flatten().to(device));
            boxes = boxes.index_select(0, kept.to(device));
            labels = labels.index_select(0, kept.to(device));
            if (labels.shape[0] > 0 && (labels < 1).logical_or(labels >= classes).any().item<bool>())
                throw new ArgumentException($"image {image}: labels must be 1..{classes - 1} for {classes} classes (background included)");
            Tensor? masks = null;
            if (labels.shape[0] > 0)
            {
                if (!target.Has(BoxFields.Masks)) throw new ArgumentException($"image {image}: YOLACT trains masks but the target has none");
                var instances = target.Field<IInstanceMasks>(BoxFields.Masks).Select(kept.AsSpan<long>());
                // Masks at the image's size, zero over the padding, as the prototypes see the padded input.
                var bitmap = instances.ToTensor(ScalarType.Byte).to(device).to(ScalarType.Float32);
                masks = F.pad(bitmap, [0, paddedWidth - instances.Width, 0, paddedHeight - instances.Height]);
            }
            return new GroundTruth(boxes.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(), masks?.MoveToOuterDisposeScope(),
                                   crowdBoxes.shape[0] > 0 ? crowdBoxes.MoveToOuterDisposeScope() : null);
        }

        /// <summary>[G,h,w] float 0/1: the masks resampled bilinearly (align_corners false) and thresholded at 0.5.</summary>
        public Tensor MasksAt(long h, long w) => Masks is null
            ? throw new InvalidOperationException("no masks")
            : (F.interpolate(Masks.unsqueeze(0), [h, w], mode: InterpolationMode.Bilinear, align_corners: false).squeeze(0) > 0.5).to(ScalarType.Float32);
    }
}
