namespace MaskRcnn.Structures.Masks;

/// <summary>
/// A binary mask in COCO run-length encoding: the lengths of alternating runs of 0s and 1s, starting with 0s,
/// over the pixels in column-major order (down each column, columns left to right), as pycocotools stores masks.
/// Every operation gives the same counts, bits and doubles as cocoapi's <c>maskApi.c</c>.
/// </summary>
public sealed class Rle : IEquatable<Rle>
{
    readonly uint[] _counts;

    /// <summary>A mask of <paramref name="height"/>×<paramref name="width"/> pixels; the counts must sum to height·width.</summary>
    public Rle(int height, int width, ReadOnlySpan<uint> counts)
    {
        if (Problem(height, width, counts) is { } problem) throw new ArgumentException(problem, nameof(counts));
        Height = height;
        Width = width;
        _counts = counts.ToArray();
    }

    /// <summary>Takes <paramref name="counts"/> as it is, for callers that built it valid.</summary>
    Rle(uint[] counts, int height, int width)
    {
        Height = height;
        Width = width;
        _counts = counts;
    }

    internal static Rle Trusted(int height, int width, uint[] counts) => new(counts, height, width);

    /// <summary>Why these counts cannot be a mask of this size, or null if they can.</summary>
    internal static string? Problem(int height, int width, ReadOnlySpan<uint> counts)
    {
        if (SizeProblem(height, width) is { } sizeProblem) return sizeProblem;
        ulong area = (ulong)height * (ulong)width;
        ulong sum = 0;
        foreach (var count in counts) sum += count;
        return sum == area ? null : $"RLE counts sum to {sum}, not {height}x{width} = {area}";
    }

    public int Height { get; }
    public int Width { get; }

    /// <summary>Run lengths: 0s, 1s, 0s, ... in column-major pixel order.</summary>
    public ReadOnlySpan<uint> Counts => _counts;

    /// <summary>Number of pixels that are 1.</summary>
    public uint Area()
    {
        uint area = 0;
        for (int j = 1; j < _counts.Length; j += 2) area += _counts[j];
        return area;
    }

    /// <summary>Encodes a mask given row-major ([H, W], as a tensor or image holds it); any non-zero byte is a 1.</summary>
    public static Rle Encode(ReadOnlySpan<byte> rowMajorMask, int height, int width)
    {
        CheckMaskLength(rowMajorMask.Length, height, width);
        return Trusted(height, width, RowMajorRuns.Encode(rowMajorMask, height, width));
    }

    /// <summary>Encodes a mask given column-major (Fortran order, as pycocotools' <c>encode</c> takes it); any non-zero byte is a 1.</summary>
    public static Rle EncodeColumnMajor(ReadOnlySpan<byte> columnMajorMask, int height, int width)
    {
        CheckMaskLength(columnMajorMask.Length, height, width);
        // cocoapi closes the last run even on an image with no pixels (0×W), which so has the single count 0.
        if (columnMajorMask.IsEmpty) return Trusted(height, width, [0u]);
        var counts = new List<uint>();
        bool ones = false;
        for (var rest = columnMajorMask; !rest.IsEmpty; ones = !ones)
        {
            int run = ones ? rest.IndexOf((byte)0) : rest.IndexOfAnyExcept((byte)0);
            if (run < 0) run = rest.Length;
            counts.Add((uint)run);
            rest = rest[run..];
        }
        return Trusted(height, width, counts.ToArray());
    }

    /// <summary>The mask as 0/1 bytes in row-major order ([H, W]).</summary>
    public byte[] Decode()
    {
        var mask = new byte[Height * Width];
        Decode(mask);
        return mask;
    }

    /// <summary>Writes the mask as 0/1 bytes in row-major order ([H, W]) into <paramref name="rowMajorMask"/>.</summary>
    public void Decode(Span<byte> rowMajorMask)
    {
        CheckMaskLength(rowMajorMask.Length, Height, Width);
        RowMajorRuns.Decode(_counts, rowMajorMask, Height, Width);
    }

    /// <summary>Writes the mask as 0/1 bytes in column-major order into <paramref name="columnMajorMask"/>.</summary>
    public void DecodeColumnMajor(Span<byte> columnMajorMask)
    {
        CheckMaskLength(columnMajorMask.Length, Height, Width);
        int position = 0;
        byte value = 0;
        foreach (var count in _counts)
        {
            columnMajorMask.Slice(position, (int)count).Fill(value);
            position += (int)count;
            value ^= 1;
        }
    }

    /// <summary>
    /// The tightest box around the 1s, as cocoapi's <c>rleToBbox</c>: a run of 1s that continues into a later column
    /// makes the box span the full image height. An empty mask gives the zero box.
    /// </summary>
    public CocoBox ToBbox()
    {
        // A trailing run of 0s bounds nothing; cocoapi drops an odd last count.
        int boundingRuns = _counts.Length & ~1;
        if (boundingRuns == 0 || Height == 0 || Width == 0) return default;
        uint h = (uint)Height;
        uint xMin = (uint)Width, yMin = h, xMax = 0, yMax = 0, runStartColumn = 0, position = 0;
        for (int j = 0; j < boundingRuns; j++)
        {
            position += _counts[j];
            // Even j: first pixel of a run of 1s; odd j: its last pixel (unsigned, like cocoapi, even for empty runs).
            uint pixel = position - (uint)(j & 1);
            uint y = pixel % h, x = pixel / h;
            if ((j & 1) == 0) runStartColumn = x;
            else if (runStartColumn < x) { yMin = 0; yMax = h - 1; }
            xMin = Math.Min(xMin, x);
            xMax = Math.Max(xMax, x);
            yMin = Math.Min(yMin, y);
            yMax = Math.Max(yMax, y);
        }
        return new CocoBox(xMin, yMin, xMax - xMin + 1, yMax - yMin + 1);
    }

    /// <summary>The mask of a box, rasterized as the polygon of its four corners (cocoapi's <c>rleFrBbox</c>).</summary>
    public static Rle FromBbox(CocoBox box, int height, int width)
    {
        double left = box.X, right = box.X + box.Width, top = box.Y, bottom = box.Y + box.Height;
        return FromPolygon([left, top, left, bottom, right, bottom, right, top], height, width);
    }

    /// <summary>
    /// The mask of one polygon given as x0, y0, x1, y1, ... in pixel coordinates (pixel (x, y) covers [x, x+1)×[y, y+1)),
    /// rasterized exactly as cocoapi's <c>rleFrPoly</c>.
    /// </summary>
    public static Rle FromPolygon(ReadOnlySpan<double> xy, int height, int width)
    {
        if (xy.Length % 2 != 0) throw new ArgumentException($"polygon has an odd number of coordinates ({xy.Length})", nameof(xy));
        foreach (var coordinate in xy)
            if (!double.IsFinite(coordinate)) throw new ArgumentException($"polygon has a non-finite coordinate ({coordinate})", nameof(xy));
        CheckSize(height, width);
        return Trusted(height, width, PolygonRasterizer.Rasterize(xy, height, width));
    }

    /// <summary>Union of masks of one size (cocoapi's <c>rleMerge</c> with intersect = 0).</summary>
    public static Rle Union(IReadOnlyList<Rle> masks) => RleMerge.Merge(masks, intersect: false);

    /// <summary>Intersection of masks of one size (cocoapi's <c>rleMerge</c> with intersect = 1).</summary>
    public static Rle Intersection(IReadOnlyList<Rle> masks) => RleMerge.Merge(masks, intersect: true);

    /// <summary>
    /// IoU of every detection mask with every ground-truth mask, [detections, groundTruths], as pycocotools' <c>iou</c>:
    /// for a crowd ground truth the union is the detection's area.
    /// </summary>
    /// <param name="isCrowd">One flag per ground truth; null means no crowds.</param>
    public static double[,] Iou(IReadOnlyList<Rle> detections, IReadOnlyList<Rle> groundTruths, IReadOnlyList<bool>? isCrowd) =>
        RleIou.Compute(detections, groundTruths, isCrowd);

    /// <summary>The compressed string form COCO files store (cocoapi's <c>rleToString</c>).</summary>
    public string ToCompressedString() => CompressedRle.Encode(_counts);

    /// <summary>Reads the compressed string form (cocoapi's <c>rleFrString</c>); the counts must sum to height·width.</summary>
    public static Rle FromCompressedString(string compressed, int height, int width)
    {
        var counts = CompressedRle.Decode(compressed);
        if (Problem(height, width, counts) is { } problem) throw new FormatException("compressed " + problem);
        return Trusted(height, width, counts);
    }

    static string? SizeProblem(int height, int width) =>
        height < 0 || width < 0 ? $"mask size {height}x{width} is negative"
        : (ulong)height * (ulong)width > uint.MaxValue ? $"mask size {height}x{width} has more pixels than 32-bit run-lengths can count"
        : null;

    internal static void CheckSize(int height, int width)
    {
        if (SizeProblem(height, width) is { } problem) throw new ArgumentException(problem);
    }

    static void CheckMaskLength(int length, int height, int width)
    {
        CheckSize(height, width);
        if ((long)height * width != length) throw new ArgumentException($"mask buffer has {length} bytes, not {height}x{width}");
    }

    public bool Equals(Rle? other) =>
        other is not null && Height == other.Height && Width == other.Width && _counts.AsSpan().SequenceEqual(other._counts);

    public override bool Equals(object? obj) => Equals(obj as Rle);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Height);
        hash.Add(Width);
        hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_counts.AsSpan()));
        return hash.ToHashCode();
    }

    public override string ToString() => $"Rle {Height}x{Width}, {_counts.Length} runs, area {Area()}";
}
