namespace MaskRcnn.Structures;

/// <summary>
/// Moves a mask between row-major order (tensors, images: index y·W + x) and the column-major order
/// COCO run-lengths walk (index x·H + y).
/// </summary>
static class MaskTranspose
{
    // Tiles keep both the reads and the writes inside a few cache lines.
    const int Tile = 64;

    public static void RowMajorToColumnMajor(ReadOnlySpan<byte> rowMajor, Span<byte> columnMajor, int height, int width) =>
        Transpose(rowMajor, columnMajor, rows: height, columns: width);

    public static void ColumnMajorToRowMajor(ReadOnlySpan<byte> columnMajor, Span<byte> rowMajor, int height, int width) =>
        Transpose(columnMajor, rowMajor, rows: width, columns: height);

    /// <summary>destination[c·rows + r] = source[r·columns + c].</summary>
    static void Transpose(ReadOnlySpan<byte> source, Span<byte> destination, int rows, int columns)
    {
        for (int r0 = 0; r0 < rows; r0 += Tile)
        {
            int r1 = Math.Min(r0 + Tile, rows);
            for (int c0 = 0; c0 < columns; c0 += Tile)
            {
                int c1 = Math.Min(c0 + Tile, columns);
                for (int r = r0; r < r1; r++)
                {
                    var sourceRow = source.Slice(r * columns, columns);
                    for (int c = c0; c < c1; c++)
                        destination[c * rows + r] = sourceRow[c];
                }
            }
        }
    }
}
