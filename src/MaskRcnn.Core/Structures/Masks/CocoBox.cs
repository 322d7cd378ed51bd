namespace MaskRcnn.Structures.Masks;

/// <summary>An axis-aligned box as COCO writes it: left, top, width, height (xywh), in pixels.</summary>
public readonly record struct CocoBox(double X, double Y, double Width, double Height)
{
    /// <summary>
    /// Intersection over union of one detection and one ground-truth box, as cocoapi's <c>bbIou</c>:
    /// for a crowd ground truth the union is the detection's own area (a detection inside a crowd region is a full match).
    /// </summary>
    public static double Iou(CocoBox detection, CocoBox groundTruth, bool groundTruthIsCrowd)
    {
        double overlapWidth = Math.Min(detection.Width + detection.X, groundTruth.Width + groundTruth.X) - Math.Max(detection.X, groundTruth.X);
        if (overlapWidth <= 0) return 0;
        double overlapHeight = Math.Min(detection.Height + detection.Y, groundTruth.Height + groundTruth.Y) - Math.Max(detection.Y, groundTruth.Y);
        if (overlapHeight <= 0) return 0;
        double intersection = overlapWidth * overlapHeight;
        double detectionArea = detection.Width * detection.Height;
        // Same operation order as cocoapi (da + ga - i) so that the doubles come out identical.
        double union = groundTruthIsCrowd ? detectionArea : detectionArea + groundTruth.Width * groundTruth.Height - intersection;
        return intersection / union;
    }

    /// <summary>IoU of every detection with every ground truth: [detections, groundTruths], as pycocotools' <c>iou</c> returns it.</summary>
    /// <param name="isCrowd">One flag per ground truth; null means no crowds.</param>
    public static double[,] Iou(IReadOnlyList<CocoBox> detections, IReadOnlyList<CocoBox> groundTruths, IReadOnlyList<bool>? isCrowd)
    {
        CrowdFlags.Check(isCrowd, groundTruths.Count);
        var iou = new double[detections.Count, groundTruths.Count];
        for (int g = 0; g < groundTruths.Count; g++)
        {
            bool crowd = isCrowd is not null && isCrowd[g];
            for (int d = 0; d < detections.Count; d++)
                iou[d, g] = Iou(detections[d], groundTruths[g], crowd);
        }
        return iou;
    }
}
