namespace MaskRcnn.Structures.Masks;

/// <summary>The per-ground-truth <c>iscrowd</c> flags that IoU takes; cocoapi reads one per ground truth.</summary>
static class CrowdFlags
{
    public static void Check(IReadOnlyList<bool>? isCrowd, int groundTruths)
    {
        if (isCrowd is not null && isCrowd.Count != groundTruths)
            throw new ArgumentException($"{isCrowd.Count} iscrowd flags for {groundTruths} ground truths", nameof(isCrowd));
    }
}
