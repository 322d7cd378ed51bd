namespace MaskRcnn.Structures.Masks;

/// <summary>
/// The three forms a COCO annotation's "segmentation" takes, turned into one <see cref="Rle"/> the way pycocotools'
/// <c>COCO.annToRLE</c> (through <c>frPyObjects</c> and <c>merge</c>) does.
/// </summary>
public static class CocoSegmentation
{
    /// <summary>
    /// A list of polygons (each x0, y0, x1, y1, ...) on an image of <paramref name="height"/>×<paramref name="width"/>:
    /// the union of their rasterizations. As in pycocotools, a list whose first entry has exactly 4 numbers is read as
    /// boxes (x, y, w, h) instead, and then every entry must have 4.
    /// </summary>
    public static Rle FromPolygons(IReadOnlyList<double[]> polygons, int height, int width)
    {
        if (polygons.Count == 0) throw new ArgumentException("segmentation has no polygons", nameof(polygons));
        bool boxes = polygons[0].Length == 4;
        if (!boxes && polygons[0].Length < 4)
            throw new ArgumentException($"segmentation polygon 0 has {polygons[0].Length} coordinates; a polygon needs at least 3 points", nameof(polygons));
        var parts = new Rle[polygons.Count];
        for (int i = 0; i < polygons.Count; i++)
        {
            var p = polygons[i];
            if (boxes)
            {
                if (p.Length != 4) throw new ArgumentException($"segmentation entry {i} has {p.Length} numbers but entry 0 (a box) has 4", nameof(polygons));
                parts[i] = Rle.FromBbox(new CocoBox(p[0], p[1], p[2], p[3]), height, width);
            }
            else
            {
                if (p.Length % 2 != 0) throw new ArgumentException($"segmentation polygon {i} has an odd number of coordinates ({p.Length})", nameof(polygons));
                parts[i] = Rle.FromPolygon(p, height, width);
            }
        }
        return Rle.Union(parts);
    }

    /// <summary>Uncompressed RLE: <c>{"counts": [ints], "size": [height, width]}</c>.</summary>
    public static Rle FromUncompressedRle(ReadOnlySpan<uint> counts, int height, int width)
    {
        if (Rle.Problem(height, width, counts) is { } problem) throw new FormatException("uncompressed " + problem);
        return Rle.Trusted(height, width, counts.ToArray());
    }

    /// <summary>Compressed RLE: <c>{"counts": "string", "size": [height, width]}</c>.</summary>
    public static Rle FromCompressedRle(string counts, int height, int width) => Rle.FromCompressedString(counts, height, width);
}
