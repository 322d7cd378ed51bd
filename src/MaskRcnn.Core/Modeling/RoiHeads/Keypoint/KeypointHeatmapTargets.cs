using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RoiHeads.Keypoint;

/// <summary>
/// maskrcnn-benchmark's <c>keypoints_to_heat_map</c>: each ground-truth keypoint of a positive RoI as the flat index
/// y·S + x of the cell of an S×S heatmap over the RoI it falls in (x = floor((px − x1)·S / (x2 − x1)), y alike; a
/// keypoint exactly on the RoI's right or bottom edge goes to the last cell), and whether it is a target at all:
/// labelled (v &gt; 0) and inside the heatmap. Entries that are not targets have index 0.
/// </summary>
public static class KeypointHeatmapTargets
{
    /// <param name="keypoints">[N, K, 3] x, y, v of the ground truth matched to each RoI.</param>
    /// <param name="rois">[N, 4] x1, y1, x2, y2.</param>
    /// <returns>Heatmap indices and validity (0 or 1), both [N, K] int64.</returns>
    public static (Tensor Heatmaps, Tensor Valid) Project(Tensor keypoints, Tensor rois, int size)
    {
        if (rois.numel() == 0)
        {
            var empty = torch.empty(0, dtype: ScalarType.Int64, device: rois.device);
            return (empty, empty.clone());
        }
        var offsetX = rois[.., 0].unsqueeze(1);
        var offsetY = rois[.., 1].unsqueeze(1);
        var scaleX = (size / (rois[.., 2] - rois[.., 0])).unsqueeze(1);
        var scaleY = (size / (rois[.., 3] - rois[.., 1])).unsqueeze(1);
        var px = keypoints[.., .., 0];
        var py = keypoints[.., .., 1];
        var onRight = px.eq(rois[.., 2].unsqueeze(1));
        var onBottom = py.eq(rois[.., 3].unsqueeze(1));
        var x = ((px - offsetX) * scaleX).floor().to(ScalarType.Int64).masked_fill(onRight, size - 1);
        var y = ((py - offsetY) * scaleY).floor().to(ScalarType.Int64).masked_fill(onBottom, size - 1);
        var inside = x.ge(0).logical_and(y.ge(0)).logical_and(x.lt(size)).logical_and(y.lt(size));
        var valid = inside.logical_and(keypoints[.., .., 2].gt(0)).to(ScalarType.Int64);
        return ((y * size + x) * valid, valid);
    }
}
