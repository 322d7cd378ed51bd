using System.Text.Json;
using MaskRcnn.IO;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;

namespace MaskRcnn.Data.Coco;

/// <summary>
/// Reads and writes COCO results files: a JSON list of <c>{"image_id", "category_id", "bbox": [x, y, w, h],
/// "score", "segmentation": {"size": [h, w], "counts": "…"}, "keypoints": [x, y, score, …]}</c>. Reading checks every entry against the ground
/// truth as pycocotools' <c>loadRes</c> does (an image id the ground truth does not have is an error), and names
/// the file and entry of any problem.
/// </summary>
public static class CocoResultsFile
{
    /// <summary>Writes results atomically. Without <paramref name="includeBoxes"/> entries carry only their mask, as
    /// maskrcnn-benchmark's segm.json (pycocotools then measures their area by the mask).</summary>
    public static void Write(string path, IEnumerable<CocoResult> results, bool includeBoxes = true)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        AtomicFile.Write(path, stream =>
        {
            using var coco = new CocoWriter(stream);
            coco.StartResults();
            foreach (var r in results) coco.Result(r, includeBoxes);
            coco.EndList();
        });
    }

    /// <summary>Reads a results file for evaluation against <paramref name="groundTruth"/>.</summary>
    public static CocoResultSet Load(string path, CocoFile groundTruth)
    {
        using var doc = CocoJson.Load(path, "results file");
        return Parse(doc.RootElement, path, groundTruth);
    }

    public static CocoResultSet Parse(JsonElement root, string path, CocoFile groundTruth)
    {
        if (root.ValueKind != JsonValueKind.Array)
            throw new DataException($"{path}: not a COCO results file: the top level must be a list of detections");
        var results = new List<CocoResult>(root.GetArrayLength());
        int index = 0;
        foreach (var e in root.EnumerateArray())
        {
            results.Add(Entry(e, path, index, groundTruth));
            index++;
        }
        // pycocotools' loadRes takes the detection's area from its box when the first result has a box, else from its mask.
        bool areaFromBox = results.Count > 0 && root[0].TryGetProperty("bbox", out var first) && first.GetArrayLength() > 0;
        return new CocoResultSet(path, results, areaFromBox);
    }

    static CocoResult Entry(JsonElement e, string path, int index, CocoFile groundTruth)
    {
        string where = $"result {index}";
        if (e.ValueKind != JsonValueKind.Object) throw new DataException($"{path}: {where} must be an object");
        long imageId = Integer(e, "image_id", path, where);
        if (!groundTruth.ImagesById.TryGetValue(imageId, out var image))
            throw new DataException($"{path}: {where}: image id {imageId} is not in the ground truth {groundTruth.Path}");
        long categoryId = Integer(e, "category_id", path, where);
        if (!e.TryGetProperty("score", out var s) || s.ValueKind != JsonValueKind.Number)
            throw new DataException($"{path}: {where}: 'score' must be a number");
        double score = s.GetDouble();
        Rle? rle = e.TryGetProperty("segmentation", out var seg) && seg.ValueKind != JsonValueKind.Null
            ? Segmentation(seg, image, path, where) : null;
        double[]? keypoints = e.TryGetProperty("keypoints", out var k) && k.ValueKind != JsonValueKind.Null ? Keypoints(k, path, where) : null;
        CocoBox box;
        if (e.TryGetProperty("bbox", out var b) && b.ValueKind != JsonValueKind.Null && !(b.ValueKind == JsonValueKind.Array && b.GetArrayLength() == 0))
        {
            if (b.ValueKind != JsonValueKind.Array || b.GetArrayLength() != 4
                || b.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number || !x.TryGetDouble(out var v) || !double.IsFinite(v)))
                throw new DataException($"{path}: {where}: 'bbox' must be 4 finite numbers [x, y, width, height], got {CocoSegmentationJson.Shown(b)}");
            box = new CocoBox(b[0].GetDouble(), b[1].GetDouble(), b[2].GetDouble(), b[3].GetDouble());
        }
        else if (rle is not null) box = rle.ToBbox();
        else if (keypoints is not null) box = KeypointExtent(keypoints);
        else throw new DataException($"{path}: {where}: has none of 'bbox', 'segmentation' and 'keypoints'");
        return new CocoResult(imageId, categoryId, box, score, rle, keypoints);
    }

    /// <summary>x, y, score triples: finite numbers, at least one triple.</summary>
    static double[] Keypoints(JsonElement k, string path, string where)
    {
        if (k.ValueKind != JsonValueKind.Array || k.GetArrayLength() == 0 || k.GetArrayLength() % 3 != 0
            || k.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number || !x.TryGetDouble(out var v) || !double.IsFinite(v)))
            throw new DataException($"{path}: {where}: 'keypoints' must be x, y, score triples of finite numbers, got {CocoSegmentationJson.Shown(k)}");
        return k.EnumerateArray().Select(x => x.GetDouble()).ToArray();
    }

    /// <summary>pycocotools' loadRes for results with keypoints only: the box spans the keypoints (all of them, whatever
    /// their score), and its w·h is the detection's area.</summary>
    public static CocoBox KeypointExtent(ReadOnlySpan<double> keypoints)
    {
        double x0 = double.PositiveInfinity, x1 = double.NegativeInfinity, y0 = double.PositiveInfinity, y1 = double.NegativeInfinity;
        for (int i = 0; i + 2 < keypoints.Length; i += 3)
        {
            x0 = Math.Min(x0, keypoints[i]);
            x1 = Math.Max(x1, keypoints[i]);
            y0 = Math.Min(y0, keypoints[i + 1]);
            y1 = Math.Max(y1, keypoints[i + 1]);
        }
        return new CocoBox(x0, y0, x1 - x0, y1 - y0);
    }

    /// <summary>The annotation files' checks (<see cref="CocoSegmentationJson"/>), then pycocotools' annToRLE, which also
    /// takes 4-number entries as boxes.</summary>
    static Rle Segmentation(JsonElement seg, CocoImage image, string path, string where)
    {
        CocoSegmentationData data = seg.ValueKind switch
        {
            JsonValueKind.Object => CocoSegmentationJson.Rle(seg, image, path, where),
            JsonValueKind.Array => new CocoPolygons(CocoSegmentationJson.Polygons(seg, image, path, where)),
            _ => throw new DataException($"{path}: {where}: 'segmentation' must be an RLE object or a list of polygons"),
        };
        try { return data.ToRle(image.Height, image.Width); }
        catch (Exception x) when (x is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new DataException($"{path}: {where}: bad segmentation: {x.Message}");
        }
    }

    static long Integer(JsonElement e, string name, string path, string where)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var id))
            throw new DataException($"{path}: {where}: '{name}' must be an integer");
        return id;
    }
}
