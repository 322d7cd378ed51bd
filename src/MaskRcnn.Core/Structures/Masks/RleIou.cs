namespace MaskRcnn.Structures.Masks;

/// <summary>
/// Mask IoU with the semantics of cocoapi's <c>rleIou</c>: pairs whose bounding boxes do not overlap are 0 without
/// looking at the runs; for a crowd ground truth the union is the detection's area; no intersection gives 0.
/// </summary>
static class RleIou
{
    public static double[,] Compute(IReadOnlyList<Rle> detections, IReadOnlyList<Rle> groundTruths, IReadOnlyList<bool>? isCrowd)
    {
        CrowdFlags.Check(isCrowd, groundTruths.Count);
        var detectionBoxes = detections.Select(d => d.ToBbox()).ToArray();
        var groundTruthBoxes = groundTruths.Select(g => g.ToBbox()).ToArray();
        var iou = new double[detections.Count, groundTruths.Count];
        for (int g = 0; g < groundTruths.Count; g++)
        {
            var gt = groundTruths[g];
            bool crowd = isCrowd is not null && isCrowd[g];
            for (int d = 0; d < detections.Count; d++)
            {
                var dt = detections[d];
                if (dt.Height != gt.Height || dt.Width != gt.Width)
                    throw new ArgumentException($"detection {d} is {dt.Height}x{dt.Width} but ground truth {g} is {gt.Height}x{gt.Width}");
                iou[d, g] = Pair(dt, detectionBoxes[d], gt, groundTruthBoxes[g], crowd);
            }
        }
        return iou;
    }

    /// <summary>One pair's IoU, given both masks' boxes (<see cref="Rle.ToBbox"/>) so that callers can compute them once.</summary>
    internal static double Pair(Rle detection, CocoBox detectionBox, Rle groundTruth, CocoBox groundTruthBox, bool crowd) =>
        CocoBox.Iou(detectionBox, groundTruthBox, crowd) <= 0 ? 0 : MaskIou(detection, groundTruth, crowd);

    static double MaskIou(Rle detection, Rle groundTruth, bool crowd)
    {
        var walkD = new RunWalker(detection.Counts);
        var walkG = new RunWalker(groundTruth.Counts);
        uint intersection = 0, union = 0;
        do
        {
            uint step = Math.Min(walkD.Left, walkG.Left);
            if (walkD.Value || walkG.Value)
            {
                union += step;
                if (walkD.Value && walkG.Value) intersection += step;
            }
            walkD.Advance(step);
            walkG.Advance(step);
        } while (walkD.Left != 0 || walkG.Left != 0);
        if (intersection == 0) return 0;
        if (crowd) union = detection.Area();
        return (double)intersection / union;
    }
}
