using System.Numerics;

namespace MaskRcnn.Structures.Masks;

/// <summary>
/// Column-major run-lengths straight from and to row-major masks, without transposing pixel by pixel: runs change only
/// where a pixel differs from the one above it (or, in row 0, from the bottom of the previous column), and rows compare
/// and combine with vector instructions.
/// </summary>
static class RowMajorRuns
{
    public static uint[] Encode(ReadOnlySpan<byte> mask, int height, int width)
    {
        if (height == 0 || width == 0) return [0u];
        var changes = new List<(int X, int Y)>(4 * width);

        // Row 0: pixel (x, 0) follows (x − 1, H − 1) in column-major order; pixel (0, 0) follows the leading 0.
        var bottomRow = mask.Slice((height - 1) * width, width);
        var topRow = mask[..width];
        for (int x = 0; x < width; x++)
        {
            bool before = x > 0 && bottomRow[x - 1] != 0;
            if ((topRow[x] != 0) != before) changes.Add((x, 0));
        }
        for (int y = 1; y < height; y++)
        {
            var above = mask.Slice((y - 1) * width, width);
            var row = mask.Slice(y * width, width);
            for (int x = 0; x < width; x++)
            {
                x += row[x..].CommonPrefixLength(above[x..]);
                if (x == width) break;
                // Bytes differ; the pixels differ only if exactly one is non-zero.
                if ((row[x] != 0) != (above[x] != 0)) changes.Add((x, y));
            }
        }

        // Rows were scanned top to bottom, so a stable bucketing by column gives column-major order.
        var columnStart = new int[width + 1];
        foreach (var (x, _) in changes) columnStart[x + 1]++;
        for (int x = 0; x < width; x++) columnStart[x + 1] += columnStart[x];
        var positions = new uint[changes.Count];
        foreach (var (x, y) in changes) positions[columnStart[x]++] = (uint)x * (uint)height + (uint)y;

        var counts = new uint[positions.Length + 1];
        uint previous = 0;
        for (int k = 0; k < positions.Length; k++)
        {
            counts[k] = positions[k] - previous;
            previous = positions[k];
        }
        counts[^1] = (uint)height * (uint)width - previous;
        return counts;
    }

    public static void Decode(ReadOnlySpan<uint> counts, Span<byte> mask, int height, int width)
    {
        mask.Clear();
        if (height == 0 || width == 0) return;
        // Mark where each run of 1s starts and stops inside each column, then accumulate down the columns by XOR of
        // each row into the next. Touching runs mark the same pixel twice and so cancel, which joins them.
        long position = 0;
        bool ones = false;
        foreach (var count in counts)
        {
            long end = position + count;
            if (ones)
                for (long start = position; start < end;)
                {
                    int x = (int)(start / height), y = (int)(start % height);
                    long columnEnd = (long)(x + 1) * height;
                    long stop = Math.Min(end, columnEnd);
                    mask[y * width + x] ^= 1;
                    if (stop < columnEnd) mask[(int)(stop - (long)x * height) * width + x] ^= 1;
                    start = stop;
                }
            position = end;
            ones = !ones;
        }
        for (int y = 1; y < height; y++)
            XorInto(mask.Slice(y * width, width), mask.Slice((y - 1) * width, width));
    }

    static void XorInto(Span<byte> target, ReadOnlySpan<byte> source)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
            for (; i <= target.Length - Vector<byte>.Count; i += Vector<byte>.Count)
                (new Vector<byte>(target[i..]) ^ new Vector<byte>(source[i..])).CopyTo(target[i..]);
        for (; i < target.Length; i++) target[i] ^= source[i];
    }
}
