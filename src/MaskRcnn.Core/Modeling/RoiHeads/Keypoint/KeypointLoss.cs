using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RoiHeads.Keypoint;

/// <summary>
/// maskrcnn-benchmark's keypoint loss: for every (RoI, keypoint) that is a target, cross-entropy of its S×S heatmap
/// logits as one softmax over the S² positions against the target cell, averaged over those targets; with none, zero
/// (kept in the graph as 0·sum of the logits).
/// </summary>
public static class KeypointLoss
{
    /// <param name="logits">[N, K, S, S] heatmap logits of the positive RoIs.</param>
    /// <param name="heatmaps">[N, K] target cells (<see cref="KeypointHeatmapTargets.Project"/>).</param>
    /// <param name="valid">[N, K] 1 where the keypoint is a target.</param>
    public static Tensor Compute(Tensor logits, Tensor heatmaps, Tensor valid)
    {
        var chosen = torch.nonzero(valid.flatten().to(ScalarType.Bool)).flatten();
        if (heatmaps.numel() == 0 || chosen.numel() == 0) return logits.sum() * 0;
        long n = logits.shape[0], k = logits.shape[1], h = logits.shape[2], w = logits.shape[3];
        var flat = logits.reshape(n * k, h * w);
        return nn.functional.cross_entropy(flat.index_select(0, chosen), heatmaps.flatten().index_select(0, chosen));
    }
}
