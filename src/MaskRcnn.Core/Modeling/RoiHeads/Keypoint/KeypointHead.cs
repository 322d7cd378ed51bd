using MaskRcnn.Structures;
using MaskRcnn.Structures.Keypoints;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RoiHeads.Keypoint;

/// <summary>
/// maskrcnn-benchmark's ROIKeypointHead. Training: on the box head's sampled RoIs that are foreground and whose matched
/// ground truth has a labelled keypoint inside its own box (the rule of its <c>prepare_targets</c>; its second
/// balanced sample draws with the same BATCH_SIZE_PER_IMAGE and POSITIVE_FRACTION from at most as many positives as the
/// box head's, so it keeps them all and is not redrawn here), each keypoint's S×S heatmap cell is the target of a
/// softmax over the S² logits (<see cref="KeypointLoss"/>). Inference: on the detections, heatmaps decoded to
/// <see cref="BoxFields.Keypoints"/> (x, y, 1) and <see cref="BoxFields.KeypointScores"/> (<see cref="KeypointDecoder"/>).
/// </summary>
public sealed class KeypointHead : nn.Module
{
    readonly KeypointFeatureExtractor? extractor;
    readonly KeypointPredictor predictor;
    readonly int resolution;

    public KeypointHead(KeypointFeatureExtractor? extractor, KeypointPredictor predictor, int resolution) : base(nameof(KeypointHead))
    {
        this.extractor = extractor;
        this.predictor = predictor;
        this.resolution = resolution;
        if (extractor is not null) register_module("feature_extractor", extractor);
        register_module("predictor", predictor);
    }

    /// <summary>Children are registered by hand under maskrcnn-benchmark's names; TorchSharp would also register
    /// every module-typed field or property under its C# name.</summary>
    protected override void RegisterComponents() { }

    /// <param name="sampled">The box head's sampled RoIs with "labels" and "matched_idxs".</param>
    /// <param name="sharedFeatures">With a shared extractor: computes the box head's features for given RoIs.</param>
    public Tensor Loss(Tensor[] features, IReadOnlyList<BoxList> sampled, IReadOnlyList<BoxList> targets, Func<IReadOnlyList<BoxList>, Tensor>? sharedFeatures)
    {
        var rois = new List<BoxList>(sampled.Count);
        var matchedKeypoints = new List<Tensor>(sampled.Count);
        using (torch.no_grad())
            for (int i = 0; i < sampled.Count; i++)
            {
                var target = targets[i];
                if (!target.Has(BoxFields.Keypoints))
                    throw new InvalidOperationException($"image {i} of the batch has no keypoints in its targets; MODEL.KEYPOINT_ON trains on COCO person keypoints (person_keypoints_*.json)");
                var gtKeypoints = target.Field<PersonKeypoints>(BoxFields.Keypoints).Tensor.to(sampled[i].Boxes.device);
                var matched = sampled[i].Field(BoxFields.MatchedIndices).clamp_min(0);
                var trainable = sampled[i].Field(BoxFields.Labels).gt(0);
                if (gtKeypoints.shape[0] > 0)
                    trainable = trainable.logical_and(HasKeypointInsideBox(gtKeypoints, target.Boxes.to(gtKeypoints.device))[matched]);
                var chosen = torch.nonzero(trainable).flatten();
                rois.Add(sampled[i].Select(chosen));
                matchedKeypoints.Add(gtKeypoints.shape[0] > 0 ? gtKeypoints[matched.index_select(0, chosen)] : torch.zeros([0, gtKeypoints.shape[1], 3], device: gtKeypoints.device));
            }
        // With nothing to learn from, a zero that still reaches the head's parameters (zero gradients, as the
        // reference's empty forward gives them), so every process of a distributed run has the same gradients to average.
        if (rois.Sum(r => r.Count) == 0) return torch.stack(parameters().Select(p => p.sum()).ToArray()).sum() * 0;
        var logits = Logits(features, rois, sharedFeatures);
        if (logits.shape[2] != resolution || logits.shape[3] != resolution)
            throw new InvalidOperationException($"the keypoint heatmaps are {logits.shape[2]}×{logits.shape[3]} but MODEL.ROI_KEYPOINT_HEAD.RESOLUTION is {resolution}; set it to {logits.shape[2]}");
        Tensor heatmaps, valid;
        using (torch.no_grad())
        {
            var projected = rois.Select((r, i) => KeypointHeatmapTargets.Project(matchedKeypoints[i], r.Boxes, resolution)).Where(p => p.Heatmaps.numel() > 0).ToList();
            heatmaps = torch.cat(projected.Select(p => p.Heatmaps).ToArray(), 0);
            valid = torch.cat(projected.Select(p => p.Valid).ToArray(), 0);
        }
        return KeypointLoss.Compute(logits, heatmaps, valid);
    }

    /// <summary>Adds decoded keypoints (<see cref="PersonKeypoints"/>, v = 1) and their [N, K] scores to the detections.</summary>
    public List<BoxList> Infer(Tensor[] features, IReadOnlyList<BoxList> detections, Func<IReadOnlyList<BoxList>, Tensor>? sharedFeatures)
    {
        using var _ = torch.no_grad();
        var logits = Logits(features, detections, sharedFeatures);
        var result = new List<BoxList>(detections.Count);
        long start = 0;
        foreach (var d in detections)
        {
            var (keypoints, scores) = KeypointDecoder.Decode(logits[(int)start..(int)(start + d.Count)], d.Boxes);
            var device = d.Boxes.device;
            result.Add(d.With(BoxFields.Keypoints, new PersonKeypoints(keypoints.to(device), d.Size)).With(BoxFields.KeypointScores, scores.to(device)));
            start += d.Count;
        }
        return result;
    }

    /// <summary>Per ground-truth instance: has a labelled keypoint within its own box (edges included), as
    /// maskrcnn-benchmark's <c>_within_box</c> on the matched targets.</summary>
    static Tensor HasKeypointInsideBox(Tensor keypoints, Tensor boxes)
    {
        var x = keypoints.select(2, 0);
        var y = keypoints.select(2, 1);
        var inside = x.ge(boxes[.., 0].unsqueeze(1)).logical_and(x.le(boxes[.., 2].unsqueeze(1)))
            .logical_and(y.ge(boxes[.., 1].unsqueeze(1))).logical_and(y.le(boxes[.., 3].unsqueeze(1)));
        return inside.logical_and(keypoints.select(2, 2).gt(0)).any(1);
    }

    Tensor Logits(Tensor[] features, IReadOnlyList<BoxList> rois, Func<IReadOnlyList<BoxList>, Tensor>? sharedFeatures)
    {
        if (rois.Sum(r => r.Count) == 0)
            return torch.zeros([0, predictor.Keypoints, resolution, resolution], device: features[0].device);
        var x = extractor is not null ? extractor.forward(features, rois.Select(r => r.Boxes).ToList())
            : sharedFeatures?.Invoke(rois) ?? throw new InvalidOperationException("a keypoint head without its own feature extractor needs the box head's");
        return predictor.forward(x);
    }
}
