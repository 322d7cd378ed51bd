namespace MaskRcnn.Data.Coco;

/// <summary>
/// Detections read from a results file (or made in memory), in file order. <see cref="AreaFromBox"/> says how
/// pycocotools would measure their area for the small/medium/large ranges: from the box (w·h) when the first
/// result has a box, otherwise from the mask.
/// </summary>
public sealed record CocoResultSet(string Source, IReadOnlyList<CocoResult> Results, bool AreaFromBox)
{
    /// <summary>In-memory results, measured as pycocotools would measure them once written: by box for a bbox.json
    /// (boxes written), by mask for a segm.json (written without boxes, as maskrcnn-benchmark writes it).</summary>
    public static CocoResultSet InMemory(IReadOnlyList<CocoResult> results, bool areaFromBox, string source = "results") =>
        new(source, results, areaFromBox && results.Count > 0);
}
