using System.Buffers;

namespace MaskRcnn.Structures.Masks;

/// <summary>
/// Polygon to COCO run-lengths with the semantics of cocoapi's <c>rleFrPoly</c>, so that masks are bit-identical
/// to pycocotools': the outline is walked on a 5× finer integer grid, and every place where it crosses the vertical
/// line through a pixel-centre column toggles the mask from that pixel down. Pixel (x, y) is inside when the outline
/// crosses column x an odd number of times above its centre.
/// </summary>
static class PolygonRasterizer
{
    const double Upsample = 5;

    /// <summary>Run-length counts (column-major) of the polygon x0, y0, x1, y1, ... on a height×width image.</summary>
    public static uint[] Rasterize(ReadOnlySpan<double> xy, int height, int width)
    {
        uint area = (uint)height * (uint)width;
        int vertices = xy.Length / 2;
        if (area == 0) return [0u];
        if (vertices == 0) return [area];

        // 1. Vertices on the fine grid. The int cast truncates toward zero, as cocoapi's C cast does, so "+0.5"
        //    rounds half up only for non-negative coordinates; that asymmetry is part of the reference behaviour.
        var gridX = new int[vertices + 1];
        var gridY = new int[vertices + 1];
        for (int j = 0; j < vertices; j++)
        {
            gridX[j] = (int)(Upsample * xy[2 * j] + .5);
            gridY[j] = (int)(Upsample * xy[2 * j + 1] + .5);
        }
        gridX[vertices] = gridX[0];
        gridY[vertices] = gridY[0];

        long pointCount = 0;
        for (int j = 0; j < vertices; j++)
            pointCount += Math.Max(Math.Abs(gridX[j] - gridX[j + 1]), Math.Abs(gridY[j] - gridY[j + 1])) + 1;
        if (pointCount > Array.MaxLength) throw new ArgumentException("polygon outline is too long to rasterize");

        var pointX = ArrayPool<int>.Shared.Rent((int)pointCount);
        var pointY = ArrayPool<int>.Shared.Rent((int)pointCount);
        var toggles = ArrayPool<uint>.Shared.Rent((int)pointCount + 1);
        try
        {
            int points = TraceOutline(gridX, gridY, pointX, pointY);
            int toggleCount = CollectColumnCrossings(pointX.AsSpan(0, points), pointY.AsSpan(0, points), height, width, toggles);
            toggles[toggleCount++] = area;
            return TogglesToCounts(toggles.AsSpan(0, toggleCount));
        }
        finally
        {
            ArrayPool<int>.Shared.Return(pointX);
            ArrayPool<int>.Shared.Return(pointY);
            ArrayPool<uint>.Shared.Return(toggles);
        }
    }

    /// <summary>
    /// Every fine-grid point along the closed outline, one per step along each edge's longer axis,
    /// edges in order and each from its first vertex to its second (shared vertices appear twice).
    /// </summary>
    static int TraceOutline(int[] gridX, int[] gridY, int[] pointX, int[] pointY)
    {
        int n = 0;
        for (int j = 0; j + 1 < gridX.Length; j++)
        {
            int xs = gridX[j], ys = gridY[j], xe = gridX[j + 1], ye = gridY[j + 1];
            int dx = Math.Abs(xe - xs), dy = Math.Abs(ye - ys);
            bool alongX = dx >= dy;
            // The minor coordinate is interpolated from the end with the smaller major coordinate, so an edge
            // rounds to the same points whichever way it is walked; the points are still emitted first to last.
            bool reversed = alongX ? xs > xe : ys > ye;
            if (reversed) (xs, ys, xe, ye) = (xe, ye, xs, ys);
            if (alongX)
            {
                // A zero-length edge gives one point; its row is never read (both neighbours share its column).
                double slope = dx == 0 ? 0 : (double)(ye - ys) / dx;
                for (int d = 0; d <= dx; d++, n++)
                {
                    int t = reversed ? dx - d : d;
                    pointX[n] = xs + t;
                    pointY[n] = (int)(ys + slope * t + .5);
                }
            }
            else
            {
                double slope = (double)(xe - xs) / dy;
                for (int d = 0; d <= dy; d++, n++)
                {
                    int t = reversed ? dy - d : d;
                    pointY[n] = ys + t;
                    pointX[n] = (int)(xs + slope * t + .5);
                }
            }
        }
        return n;
    }

    /// <summary>
    /// Where the outline steps across a pixel-centre column (fine x = 5·x + 2): the column-major index of the first
    /// pixel of that column whose centre lies below the crossing. Steps left of, right of, or between columns are skipped.
    /// </summary>
    static int CollectColumnCrossings(ReadOnlySpan<int> pointX, ReadOnlySpan<int> pointY, int height, int width, uint[] toggles)
    {
        int n = 0;
        for (int j = 1; j < pointX.Length; j++)
        {
            if (pointX[j] == pointX[j - 1]) continue;
            double column = pointX[j] < pointX[j - 1] ? pointX[j] : pointX[j] - 1;
            column = (column + .5) / Upsample - .5;
            if (Math.Floor(column) != column || column < 0 || column > width - 1) continue;
            double row = Math.Min(pointY[j], pointY[j - 1]);
            row = (row + .5) / Upsample - .5;
            if (row < 0) row = 0;
            else if (row > height) row = height;
            row = Math.Ceiling(row);
            // int arithmetic then reinterpretation, as in the reference.
            toggles[n++] = unchecked((uint)((int)column * height + (int)row));
        }
        return n;
    }

    /// <summary>Sorted toggle positions to run lengths; two toggles at one pixel cancel.</summary>
    static uint[] TogglesToCounts(Span<uint> toggles)
    {
        toggles.Sort();
        uint previous = 0;
        for (int j = 0; j < toggles.Length; j++)
            (toggles[j], previous) = (toggles[j] - previous, toggles[j]);

        var counts = new uint[toggles.Length];
        int m = 0;
        counts[m++] = toggles[0];
        for (int j = 1; j < toggles.Length;)
        {
            if (toggles[j] > 0) counts[m++] = toggles[j++];
            else
            {
                // A zero-length run: the pixel toggles twice, so the previous run absorbs the next one.
                j++;
                if (j < toggles.Length) counts[m - 1] += toggles[j++];
            }
        }
        return counts.AsSpan(0, m).ToArray();
    }
}
