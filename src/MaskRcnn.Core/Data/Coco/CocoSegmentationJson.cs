using System.Globalization;
using System.Text.Json;
using MaskRcnn.Structures.Masks;

namespace MaskRcnn.Data.Coco;

/// <summary>
/// Reads a "segmentation" as both annotation files and results files write it, checking each value's kind and range
/// before anything is rasterized; a problem is a <see cref="DataException"/> naming the file, the entry and the field.
/// </summary>
public static class CocoSegmentationJson
{
    /// <summary>How many image sizes a polygon vertex may lie outside its image (on each side).</summary>
    public const int PolygonMargin = 1;

    /// <summary>
    /// The polygons of a list-form segmentation, each a list of finite numbers. A vertex may lie outside the image (the
    /// rasterizer keeps only pixels inside, as pycocotools' does) but not further than <see cref="PolygonMargin"/> image
    /// width (x) or height (y) away: the bbox of the same annotation lies within the image, so such a vertex is a broken
    /// number, and rasterizing it would walk an outline of billions of points. How many numbers a polygon needs is the
    /// caller's rule (annotation files and results files differ).
    /// </summary>
    public static List<double[]> Polygons(JsonElement segmentation, CocoImage image, string path, string where)
    {
        var polygons = new List<double[]>();
        foreach (var p in segmentation.EnumerateArray())
        {
            int index = polygons.Count;
            if (p.ValueKind != JsonValueKind.Array)
                throw new DataException($"{path}: {where}: segmentation polygon {index} must be a list of numbers, got {Shown(p)}");
            var xy = new double[p.GetArrayLength()];
            int i = 0;
            foreach (var number in p.EnumerateArray())
            {
                if (number.ValueKind != JsonValueKind.Number || !number.TryGetDouble(out var value) || !double.IsFinite(value))
                    throw new DataException($"{path}: {where}: segmentation polygon {index} must be a list of finite numbers, got {Shown(number)}");
                bool isX = i % 2 == 0;
                int size = isX ? image.Width : image.Height;
                double low = -PolygonMargin * (double)size, high = (PolygonMargin + 1) * (double)size;
                if (value < low || value > high)
                    throw new DataException(string.Create(CultureInfo.InvariantCulture,
                        $"{path}: {where}: segmentation polygon {index}: {(isX ? "x" : "y")} = {number.GetRawText()} lies far outside image {image.Id} " +
                        $"({image.Width}x{image.Height}); polygon {(isX ? "x" : "y")} must be within [{low}, {high}]"));
                xy[i++] = value;
            }
            polygons.Add(xy);
        }
        return polygons;
    }

    /// <summary>An RLE object: <c>size</c> must be the image's [height, width] as integers, <c>counts</c> a string or a list
    /// of non-negative integers. Whether the counts cover the image is checked when the caller decodes them.</summary>
    public static CocoSegmentationData Rle(JsonElement segmentation, CocoImage image, string path, string where)
    {
        if (!segmentation.TryGetProperty("size", out var size) || size.ValueKind != JsonValueKind.Array || size.GetArrayLength() != 2
            || !IsInt32(size[0], out int h) || !IsInt32(size[1], out int w))
            throw new DataException($"{path}: {where}: RLE size must be [height, width] as integers");
        if (h != image.Height || w != image.Width)
            throw new DataException($"{path}: {where}: RLE size {h}x{w} differs from image {image.Id} ({image.Height}x{image.Width})");
        if (!segmentation.TryGetProperty("counts", out var counts)) throw new DataException($"{path}: {where}: RLE has no 'counts'");
        switch (counts.ValueKind)
        {
            case JsonValueKind.String:
                return new CocoCompressedRle(counts.GetString()!, h, w);
            case JsonValueKind.Array:
                var runs = new uint[counts.GetArrayLength()];
                int i = 0;
                foreach (var run in counts.EnumerateArray())
                    runs[i++] = run.ValueKind == JsonValueKind.Number && run.TryGetUInt32(out var n) ? n
                        : throw new DataException($"{path}: {where}: RLE counts must be non-negative integers, got {Shown(run)}");
                return new CocoUncompressedRle(runs, h, w);
            default:
                throw new DataException($"{path}: {where}: RLE counts must be a string or a list of numbers");
        }
    }

    /// <summary>A JSON value as written, shortened for a one-line message.</summary>
    public static string Shown(JsonElement value)
    {
        var text = value.GetRawText();
        return text.Length <= 40 ? text : text[..37] + "...";
    }

    static bool IsInt32(JsonElement e, out int value)
    {
        value = 0;
        return e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out value);
    }
}
