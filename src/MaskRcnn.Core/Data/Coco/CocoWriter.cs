using System.Text.Json;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;

namespace MaskRcnn.Data.Coco;

/// <summary>
/// Writes COCO JSON as pycocotools reads it: the parts of an instances file (<c>info</c>, <c>images</c>,
/// <c>categories</c>, <c>annotations</c>, in the order the caller starts them) and the entries of a results list.
/// Every COCO file this tool writes goes through it (<c>data shapes</c>' annotations.json, predict's
/// predictions.json, results files), so they spell fields, boxes and masks alike: numbers at full precision,
/// masks as <c>{"size": [h, w], "counts": …}</c>. Disposing flushes to the stream, which stays the caller's.
/// </summary>
public sealed class CocoWriter(Stream stream) : IDisposable
{
    readonly Utf8JsonWriter json = new(stream);

    /// <summary>Starts an instances file: an object of the named lists.</summary>
    public void StartInstances() => json.WriteStartObject();

    public void EndInstances() => json.WriteEndObject();

    /// <summary><c>"info": {"description": …}</c>.</summary>
    public void Info(string description)
    {
        json.WriteStartObject("info");
        json.WriteString("description", description);
        json.WriteEndObject();
    }

    public void StartImages() => json.WriteStartArray("images");

    public void StartCategories() => json.WriteStartArray("categories");

    public void StartAnnotations() => json.WriteStartArray("annotations");

    /// <summary>Starts a results file: a bare list of <see cref="Result"/> entries.</summary>
    public void StartResults() => json.WriteStartArray();

    /// <summary>Ends the list last started.</summary>
    public void EndList() => json.WriteEndArray();

    /// <summary><c>{"id", "file_name", "width", "height"}</c>, then <paramref name="extra"/> string fields in order
    /// (those whose value is null are left out).</summary>
    public void Image(CocoImage image, params ReadOnlySpan<(string Key, string? Value)> extra)
    {
        json.WriteStartObject();
        json.WriteNumber("id", image.Id);
        json.WriteString("file_name", image.FileName);
        json.WriteNumber("width", image.Width);
        json.WriteNumber("height", image.Height);
        foreach (var (key, value) in extra)
            if (value is not null) json.WriteString(key, value);
        json.WriteEndObject();
    }

    /// <summary><c>{"id", "name", "supercategory"?, "keypoints"?, "skeleton"?}</c>: a keypoint category (COCO's person)
    /// names its keypoints and its skeleton's limbs (pairs of 1-based keypoint numbers), which pycocotools' showAnns
    /// reads to draw them.</summary>
    public void Category(CocoCategory category, IReadOnlyList<string>? keypointNames = null, IReadOnlyList<(int From, int To)>? skeletonOneBased = null)
    {
        json.WriteStartObject();
        json.WriteNumber("id", category.Id);
        json.WriteString("name", category.Name);
        if (category.Supercategory is { } supercategory) json.WriteString("supercategory", supercategory);
        if (keypointNames is not null)
        {
            json.WriteStartArray("keypoints");
            foreach (var name in keypointNames) json.WriteStringValue(name);
            json.WriteEndArray();
        }
        if (skeletonOneBased is not null)
        {
            json.WriteStartArray("skeleton");
            foreach (var (from, to) in skeletonOneBased)
            {
                json.WriteStartArray();
                json.WriteNumberValue(from);
                json.WriteNumberValue(to);
                json.WriteEndArray();
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
    }

    /// <summary><c>{"id", "image_id", "category_id", "bbox", "area", "iscrowd", "score"?, "segmentation"?,
    /// "num_keypoints"?, "keypoints"?, "keypoint_scores"?}</c>; a <paramref name="score"/> makes the annotation a
    /// detection as well (predictions.json), whose keypoints may come with <paramref name="keypointScores"/>.
    /// <c>num_keypoints</c> is the annotation's, or else the count of labelled keypoints (v &gt; 0), as COCO's files have it.</summary>
    public void Annotation(CocoAnnotation annotation, double? score = null, double[]? keypointScores = null)
    {
        json.WriteStartObject();
        json.WriteNumber("id", annotation.Id);
        json.WriteNumber("image_id", annotation.ImageId);
        json.WriteNumber("category_id", annotation.CategoryId);
        Bbox(annotation.Bbox);
        json.WriteNumber("area", annotation.Area);
        json.WriteNumber("iscrowd", annotation.IsCrowd ? 1 : 0);
        if (score is { } s) json.WriteNumber("score", s);
        if (annotation.Segmentation is { } segmentation) Segmentation(segmentation);
        if (annotation.Keypoints is { } keypoints)
        {
            int labelled = 0;
            for (int i = 2; i < keypoints.Length; i += 3)
                if (keypoints[i] > 0) labelled++;
            json.WriteNumber("num_keypoints", annotation.NumKeypoints ?? labelled);
            Numbers("keypoints", keypoints);
        }
        if (keypointScores is not null) Numbers("keypoint_scores", keypointScores);
        json.WriteEndObject();
    }

    /// <summary><c>{"image_id", "category_id", "bbox"?, "score", "segmentation"?, "keypoints"?}</c>. Without
    /// <paramref name="includeBox"/> a result with a mask or keypoints carries only those, as maskrcnn-benchmark's
    /// segm.json and keypoints.json (pycocotools' loadRes then derives the box from them).</summary>
    public void Result(CocoResult result, bool includeBox = true)
    {
        json.WriteStartObject();
        json.WriteNumber("image_id", result.ImageId);
        json.WriteNumber("category_id", result.CategoryId);
        if (includeBox || (result.Segmentation is null && result.Keypoints is null)) Bbox(result.Bbox);
        json.WriteNumber("score", result.Score);
        if (result.Segmentation is { } rle) Segmentation(CocoCompressedRle.Of(rle));
        if (result.Keypoints is { } keypoints) Numbers("keypoints", keypoints);
        json.WriteEndObject();
    }

    void Numbers(string name, double[] values)
    {
        json.WriteStartArray(name);
        foreach (var v in values) json.WriteNumberValue(v);
        json.WriteEndArray();
    }

    public void Dispose() => json.Dispose();

    void Bbox(CocoBox box)
    {
        json.WriteStartArray("bbox");
        json.WriteNumberValue(box.X);
        json.WriteNumberValue(box.Y);
        json.WriteNumberValue(box.Width);
        json.WriteNumberValue(box.Height);
        json.WriteEndArray();
    }

    void Segmentation(CocoSegmentationData segmentation)
    {
        switch (segmentation)
        {
            case CocoPolygons polygons:
                json.WriteStartArray("segmentation");
                foreach (var polygon in polygons.Polygons)
                {
                    json.WriteStartArray();
                    foreach (var v in polygon) json.WriteNumberValue(v);
                    json.WriteEndArray();
                }
                json.WriteEndArray();
                break;
            case CocoCompressedRle rle:
                StartRle(rle.Height, rle.Width);
                json.WriteString("counts", rle.Counts);
                json.WriteEndObject();
                break;
            case CocoUncompressedRle rle:
                StartRle(rle.Height, rle.Width);
                json.WriteStartArray("counts");
                foreach (var count in rle.Counts) json.WriteNumberValue(count);
                json.WriteEndArray();
                json.WriteEndObject();
                break;
            default:
                throw new ArgumentException($"no COCO form for segmentation {segmentation.GetType().Name}");
        }
    }

    void StartRle(int height, int width)
    {
        json.WriteStartObject("segmentation");
        json.WriteStartArray("size");
        json.WriteNumberValue(height);
        json.WriteNumberValue(width);
        json.WriteEndArray();
    }
}
