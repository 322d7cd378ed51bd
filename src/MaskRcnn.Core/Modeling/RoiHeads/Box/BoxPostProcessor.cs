using MaskRcnn.Layers;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RoiHeads.Box;

/// <summary>
/// Detections from the box head: softmax scores, per-class boxes decoded from the RoIs and clipped, every
/// (RoI, class ≥ 1) with score above <c>SCORE_THRESH</c> a candidate (<see cref="Candidates"/>), then
/// (<see cref="Filter"/>) boxes under <c>ROI_HEADS.MIN_SIZE</c> dropped, NMS per class (<c>ROI_HEADS.NMS</c>), and
/// the best <c>DETECTIONS_PER_IMG</c> kept. Detections carry "scores" and "labels". Test-time augmentation pools the
/// candidates of several passes before filtering, as maskrcnn-benchmark's <c>filter_results</c> after <c>bbox_aug</c>.
/// </summary>
public sealed class BoxPostProcessor(RoiHeadsOptions options, BoxCoder coder)
{
    public List<BoxList> Process(Tensor logits, Tensor deltas, IReadOnlyList<BoxList> rois) =>
        Candidates(logits, deltas, rois).Select(Filter).ToList();

    /// <summary>Per image, every (RoI, class ≥ 1) scoring above <c>SCORE_THRESH</c>: its clipped box, "scores" and
    /// "labels", in RoI-major order. Thresholding here rather than in <see cref="Filter"/> is the same per element
    /// and keeps pooled candidates small.</summary>
    public List<BoxList> Candidates(Tensor logits, Tensor deltas, IReadOnlyList<BoxList> rois)
    {
        using var _ = torch.no_grad();
        var probabilities = nn.functional.softmax(logits, -1);
        var reference = torch.cat(rois.Select(r => r.Boxes).ToArray(), 0);
        long classes = probabilities.shape[1];
        if (options.ClassAgnosticBoxes) deltas = deltas[.., 4..].repeat(1, classes);
        var decoded = coder.Decode(deltas, reference).view(-1, classes, 4);
        var result = new List<BoxList>(rois.Count);
        long start = 0;
        foreach (var roi in rois)
        {
            long n = roi.Count;
            var size = roi.Size;
            var boxes = BoxOps.Clip(decoded[(int)start..(int)(start + n)].reshape(-1, 4), size.Height, size.Width).view(n, classes, 4)[.., 1..];
            var scores = probabilities[(int)start..(int)(start + n), 1..];
            var labels = torch.arange(1, classes, ScalarType.Int64, scores.device).view(1, -1).expand(n, classes - 1);
            var candidate = scores > options.ScoreThreshold;
            result.Add(new BoxList(boxes[candidate], size).With(BoxFields.Scores, scores[candidate]).With(BoxFields.Labels, labels[candidate]));
            start += n;
        }
        return result;
    }

    /// <summary>The detections among <paramref name="candidates"/> (boxes with "scores" and "labels"): small boxes
    /// dropped, NMS per class, the best <c>DETECTIONS_PER_IMG</c> kept.</summary>
    public BoxList Filter(BoxList candidates)
    {
        using var _ = torch.no_grad();
        var (b, s, l) = (candidates.Boxes, candidates.Field(BoxFields.Scores), candidates.Field(BoxFields.Labels));
        if (options.MinBoxSize > 0)
        {
            var big = BoxOps.NonSmall(b, options.MinBoxSize);
            (b, s, l) = (b[big], s[big], l[big]);
        }
        var keep = Nms.Batched(b, s, l, options.NmsThreshold);
        keep = keep[..(int)Math.Min(options.DetectionsPerImage, keep.shape[0])];
        return new BoxList(b[keep], candidates.Size).With(BoxFields.Scores, s[keep]).With(BoxFields.Labels, l[keep]);
    }
}
