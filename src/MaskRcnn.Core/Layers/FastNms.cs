using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Layers;

/// <summary>The detections Fast NMS keeps: boxes, scores, class indices, and the indices of the input boxes.</summary>
public sealed record FastNmsResult(Tensor Boxes, Tensor Scores, Tensor Classes, Tensor BoxIndices);

/// <summary>
/// YOLACT's Fast NMS (Bolya et al., 2019): per class, the top-k boxes by score are compared all at once;
/// a box is dropped when any higher-scoring box of its class overlaps it by more than the threshold — even
/// one that is itself dropped. Slightly more aggressive than greedy NMS, but whole-tensor and parallel.
/// </summary>
public static class FastNms
{
    /// <param name="boxes">[N,4] boxes shared by all classes.</param>
    /// <param name="scores">[C,N] per-class scores.</param>
    /// <param name="scoreThreshold">A second score threshold on the kept boxes; null for none, as YOLACT's reference
    /// (whose candidates are only pre-filtered by their best class score).</param>
    public static FastNmsResult Apply(Tensor boxes, Tensor scores, double iouThreshold = 0.5, int topK = 200,
        double? scoreThreshold = null, int maxDetections = 100)
    {
        if (boxes.dim() != 2 || boxes.shape[1] != 4 || scores.dim() != 2 || scores.shape[1] != boxes.shape[0])
            throw new ArgumentException($"Fast NMS needs boxes [N,4] and scores [C,N], got [{string.Join(",", boxes.shape)}] and [{string.Join(",", scores.shape)}]");
        using var scope = torch.NewDisposeScope();
        long classes = scores.shape[0];
        var (sorted, order) = scores.sort(1, descending: true, stable: true);
        long k = Math.Min(topK, boxes.shape[0]);
        sorted = sorted[.., ..(int)k];
        order = order[.., ..(int)k];
        var candidates = boxes[order.flatten()].view(classes, k, 4);

        // Pairwise IoU within each class; only higher-scoring boxes (earlier rows) may suppress.
        var lt = torch.max(candidates[.., .., TensorIndex.None, ..2], candidates[.., TensorIndex.None, .., ..2]);
        var rb = torch.min(candidates[.., .., TensorIndex.None, 2..], candidates[.., TensorIndex.None, .., 2..]);
        var wh = (rb - lt).clamp_min(0);
        var inter = wh[.., .., .., 0] * wh[.., .., .., 1];
        var area = (candidates[.., .., 2] - candidates[.., .., 0]) * (candidates[.., .., 3] - candidates[.., .., 1]);
        var iou = (inter / (area[.., .., TensorIndex.None] + area[.., TensorIndex.None, ..] - inter)).triu(1);
        var keep = iou.max(1).values <= iouThreshold;
        if (scoreThreshold is { } threshold) keep = keep.logical_and(sorted > threshold);

        var classIds = torch.arange(classes, ScalarType.Int64, scores.device)[.., TensorIndex.None].expand(classes, k)[keep];
        var keptBoxes = candidates[keep];
        var keptScores = sorted[keep];
        var keptIndices = order[keep];
        var (finalScores, best) = keptScores.sort(0, descending: true, stable: true);
        best = best[..(int)Math.Min(maxDetections, best.shape[0])];
        return new FastNmsResult(keptBoxes[best].MoveToOuterDisposeScope(), finalScores[..(int)best.shape[0]].MoveToOuterDisposeScope(),
            classIds[best].MoveToOuterDisposeScope(), keptIndices[best].MoveToOuterDisposeScope());
    }
}
