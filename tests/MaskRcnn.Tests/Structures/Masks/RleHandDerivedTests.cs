using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;

namespace MaskRcnn.Tests.Structures.Masks;

/// <summary>Small cases worked out by hand from the COCO conventions, independent of the reference fixture.</summary>
public sealed class RleHandDerivedTests
{
    // Pixels x ∈ {1, 2}, y ∈ {1, 2} of a 5×5 image. Column-major: column 0 is 5 zeros, column 1 is 0,1,1,0,0,
    // column 2 the same, columns 3-4 zeros: runs 5+1 zeros, 2 ones, 2+1 zeros, 2 ones, 2+10 zeros.
    static readonly uint[] SquareAt1To3 = [6, 2, 3, 2, 12];

    // Pixels x ∈ {2, 3}, y ∈ {1, 2}: columns 0-1 and row 0 of column 2 are 11 zeros, then 2 ones, 3 zeros, 2 ones, 2+5 zeros.
    static readonly uint[] SquareAt2To4 = [11, 2, 3, 2, 7];

    [Fact]
    public void Square_polygon_covers_the_pixels_whose_centres_are_inside()
    {
        // The polygon [1,3]×[1,3] contains the centres (1.5, 1.5) … (2.5, 2.5): pixels x, y ∈ {1, 2}.
        var rle = Rle.FromPolygon([1, 1, 3, 1, 3, 3, 1, 3], 5, 5);
        Assert.Equal(SquareAt1To3, rle.Counts.ToArray());
        Assert.Equal(4u, rle.Area());
        var mask = rle.Decode();
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 5; x++)
                Assert.Equal(x is 1 or 2 && y is 1 or 2 ? 1 : 0, mask[y * 5 + x]);
    }

    [Fact]
    public void Centres_on_the_left_and_top_edges_are_out_on_the_right_and_bottom_edges_in()
    {
        // [0.5,2.5]² passes exactly through the centres of columns/rows 0 and 2. On the 5× grid the edges sit at 3 and 13;
        // a column x is crossed where the outline steps from 5x+2 to 5x+3, which happens for x = 1, 2 (steps 3..12) but not 0;
        // rows start at ceil((v + .5)/5 − .5): ceil(0.2) = 1 for the top and ceil(2.2) = 3 for the bottom, so rows 1, 2.
        var rle = Rle.FromPolygon([0.5, 0.5, 2.5, 0.5, 2.5, 2.5, 0.5, 2.5], 5, 5);
        Assert.Equal(SquareAt1To3, rle.Counts.ToArray());
    }

    [Fact]
    public void Box_is_rasterized_as_its_corner_polygon()
    {
        Assert.Equal(SquareAt1To3, Rle.FromBbox(new CocoBox(1, 1, 2, 2), 5, 5).Counts.ToArray());
    }

    [Fact]
    public void Encode_walks_columns_and_starts_with_a_run_of_zeros()
    {
        // Row-major 3×2 mask [[1,0],[1,1],[0,1]]: column 0 is 1,1,0 and column 1 is 0,1,1, i.e. 1,1,0,0,1,1:
        // no leading zeros (count 0), 2 ones, 2 zeros, 2 ones.
        byte[] mask = [1, 0, 1, 1, 0, 1];
        var rle = Rle.Encode(mask, 3, 2);
        Assert.Equal([0u, 2, 2, 2], rle.Counts.ToArray());
        Assert.Equal(mask, rle.Decode());
        Assert.Equal(4u, rle.Area());
        // Ones in column 0 rows 0-1 and column 1 rows 1-2: x 0..1, y 0..2.
        Assert.Equal(new CocoBox(0, 0, 2, 3), rle.ToBbox());
    }

    [Fact]
    public void Encode_reads_any_non_zero_byte_as_one()
    {
        Assert.Equal(Rle.Encode([0, 1, 0, 1], 2, 2), Rle.Encode([0, 2, 0, 255], 2, 2));
    }

    [Fact]
    public void Decode_orders_agree()
    {
        var rle = new Rle(3, 4, [1, 3, 2, 1, 5]);
        var rowMajor = rle.Decode();
        var columnMajor = new byte[12];
        rle.DecodeColumnMajor(columnMajor);
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 4; x++)
                Assert.Equal(columnMajor[x * 3 + y], rowMajor[y * 4 + x]);
        Assert.Equal(rle, Rle.EncodeColumnMajor(columnMajor, 3, 4));
    }

    [Fact]
    public void Row_major_encode_and_decode_agree_with_a_plain_column_walk()
    {
        // The row-major paths never transpose; check them against the definition on random shapes, densities,
        // non-binary bytes, and counts with zero-length runs.
        var random = new Random(5);
        for (int trial = 0; trial < 300; trial++)
        {
            int h = random.Next(1, 40), w = random.Next(1, 40);
            double density = random.NextDouble();
            var mask = new byte[h * w];
            for (int i = 0; i < mask.Length; i++) mask[i] = random.NextDouble() < density ? (byte)random.Next(1, 256) : (byte)0;
            var columnWalk = new List<uint>();
            bool value = false;
            uint run = 0;
            for (int x = 0; x < w; x++)
                for (int y = 0; y < h; y++)
                {
                    if ((mask[y * w + x] != 0) != value) { columnWalk.Add(run); run = 0; value = !value; }
                    run++;
                }
            columnWalk.Add(run);
            var rle = Rle.Encode(mask, h, w);
            Assert.Equal(columnWalk, rle.Counts.ToArray());
            Assert.Equal(mask.Select(b => b != 0 ? (byte)1 : (byte)0), rle.Decode());

            var counts = new List<uint>();
            for (uint left = (uint)(h * w); left > 0;)
            {
                uint count = Math.Min(left, (uint)random.Next(0, 2 * h + 2));
                counts.Add(count);
                left -= count;
            }
            var expected = new byte[h * w];
            int position = 0;
            for (int k = 0; k < counts.Count; k++)
                for (int j = 0; j < counts[k]; j++, position++)
                    expected[position % h * w + position / h] = (byte)(k % 2);
            Assert.Equal(expected, new Rle(h, w, counts.ToArray()).Decode());
        }
    }

    [Fact]
    public void Empty_and_zero_size_masks()
    {
        var empty = Rle.Encode(new byte[6], 2, 3);
        Assert.Equal([6u], empty.Counts.ToArray());
        Assert.Equal(default(CocoBox), empty.ToBbox());
        Assert.Equal(0u, empty.Area());
        Assert.Equal([0u], Rle.Encode([], 0, 4).Counts.ToArray());
    }

    [Fact]
    public void Run_continuing_into_the_next_column_spans_the_full_height()
    {
        // 5×2, ones at pixels 3..6: column 0 rows 3-4 and column 1 rows 0-1.
        Assert.Equal(new CocoBox(0, 0, 2, 5), new Rle(5, 2, [3, 4, 3]).ToBbox());
    }

    [Fact]
    public void Union_and_intersection_of_two_overlapping_squares()
    {
        var a = new Rle(5, 5, SquareAt1To3);
        var b = new Rle(5, 5, SquareAt2To4);
        // Union: x ∈ {1, 2, 3}, y ∈ {1, 2}. Intersection: x = 2, y ∈ {1, 2}.
        Assert.Equal([6u, 2, 3, 2, 3, 2, 7], Rle.Union([a, b]).Counts.ToArray());
        Assert.Equal([11u, 2, 12], Rle.Intersection([a, b]).Counts.ToArray());
        Assert.Equal(SquareAt1To3, Rle.Union([a]).Counts.ToArray());
    }

    [Fact]
    public void Mask_iou_and_the_crowd_rule()
    {
        var a = new Rle(5, 5, SquareAt1To3);
        var b = new Rle(5, 5, SquareAt2To4);
        var empty = new Rle(5, 5, [25]);
        // 2 shared pixels of 6 in the union; against a crowd the union is the detection's 4 pixels.
        var iou = Rle.Iou([a, empty], [b, b], [false, true]);
        Assert.Equal(2.0 / 6, iou[0, 0]);
        Assert.Equal(2.0 / 4, iou[0, 1]);
        Assert.Equal(0, iou[1, 0]);
        Assert.Equal(0, iou[1, 1]);
        Assert.Equal(1.0, Rle.Iou([a], [a], null)[0, 0]);
    }

    [Fact]
    public void Box_iou_and_the_crowd_rule()
    {
        // Overlap 5×10 = 50; union 100 + 100 − 50 = 150, or the detection's 100 against a crowd.
        var iou = CocoBox.Iou([new CocoBox(0, 0, 10, 10)], [new CocoBox(5, 0, 10, 10), new CocoBox(5, 0, 10, 10), new CocoBox(10, 0, 5, 5)], [false, true, false]);
        Assert.Equal(50.0 / 150, iou[0, 0]);
        Assert.Equal(0.5, iou[0, 1]);
        Assert.Equal(0, iou[0, 2]); // touching edges do not overlap
    }

    [Fact]
    public void Compressed_strings_decoded_by_hand()
    {
        // Counts below 16 with no earlier neighbour are one character each: '0' + value. The fourth count onward is stored
        // as its difference from the count two before: 2 − 2 = 0 → '0', 12 − 3 = 9 → '9'.
        Assert.Equal(SquareAt1To3, Rle.FromCompressedString("62309", 5, 5).Counts.ToArray());
        Assert.Equal("62309", new Rle(5, 5, SquareAt1To3).ToCompressedString());

        // 100 = 3·32 + 4: low group 4 with the continuation flag (4 + 32 → 'T'), then 3 → '3'.
        Assert.Equal("T3", new Rle(10, 10, [100]).ToCompressedString());

        // [50, 150, 50, 50, 700] on 10×100: 50 = 1·32 + 18, and 18 has the sign bit (16) set, so another group must
        // follow: 'b' (18 + 32), '1'. 150 = 4·32 + 22 → 'f' '4'. The fourth count is 50 − 150 = −100: low 5 bits 28
        // (sign set, and the rest is −4, not −1) → 'l' (28 + 32); then −4 → low bits 28, rest −1 → 'L' ends it.
        // The fifth is 700 − 50 = 650 = 20·32 + 10 → 'Z' (10 + 32); 20 has the sign bit → 'd' (20 + 32); then '0'.
        const string text = "b1f4b1lLZd0";
        Assert.Equal([50u, 150, 50, 50, 700], Rle.FromCompressedString(text, 10, 100).Counts.ToArray());
        Assert.Equal(text, new Rle(10, 100, [50, 150, 50, 50, 700]).ToCompressedString());
    }

    [Fact]
    public void Coco_polygon_list_whose_first_entry_has_four_numbers_is_read_as_boxes()
    {
        // pycocotools' frPyObjects takes [[x, y, w, h]] for boxes; annToRLE inherits that.
        Assert.Equal(Rle.FromBbox(new CocoBox(1, 1, 2, 2), 5, 5), CocoSegmentation.FromPolygons([[1, 1, 2, 2]], 5, 5));
        Assert.Throws<ArgumentException>(() => CocoSegmentation.FromPolygons([[1, 1, 2, 2], [0, 0, 3, 0, 3, 3]], 5, 5));
    }

    [Fact]
    public void Coco_polygon_list_is_the_union_of_its_polygons()
    {
        var union = CocoSegmentation.FromPolygons([[1, 1, 3, 1, 3, 3, 1, 3], [2, 1, 4, 1, 4, 3, 2, 3]], 5, 5);
        Assert.Equal([6u, 2, 3, 2, 3, 2, 7], union.Counts.ToArray());
    }

    [Fact]
    public void Bad_input_is_rejected_with_a_message()
    {
        Assert.Contains("sum to 3", Assert.Throws<ArgumentException>(() => new Rle(2, 2, [1, 2])).Message);
        Assert.Throws<FormatException>(() => CocoSegmentation.FromUncompressedRle([1, 2], 2, 2));
        Assert.Throws<FormatException>(() => Rle.FromCompressedString("6230", 5, 5));   // sums to 11, not 25
        Assert.Throws<FormatException>(() => Rle.FromCompressedString("62 09", 5, 5));  // ' ' is below '0'
        Assert.Throws<FormatException>(() => Rle.FromCompressedString("6p", 5, 5));     // 'p' is above 'o'
        Assert.Throws<FormatException>(() => Rle.FromCompressedString("T", 10, 10));    // continuation flag, then nothing
        Assert.Throws<FormatException>(() => Rle.FromCompressedString("PPPPPPPP0", 10, 10)); // more groups than a count can need
        Assert.Contains("odd", Assert.Throws<ArgumentException>(() => Rle.FromPolygon([1, 2, 3], 5, 5)).Message);
        Assert.Throws<ArgumentException>(() => Rle.FromPolygon([1, 2, double.NaN, 4, 5, 6], 5, 5));
        Assert.Throws<ArgumentException>(() => CocoSegmentation.FromPolygons([], 5, 5));
        Assert.Throws<ArgumentException>(() => CocoSegmentation.FromPolygons([[1, 2, 3, 4, 5, 6, 7]], 5, 5));
        Assert.Throws<ArgumentException>(() => Rle.Encode(new byte[5], 2, 3));
        Assert.Throws<ArgumentException>(() => Rle.Union([new Rle(2, 2, [4]), new Rle(1, 4, [4])]));
        Assert.Throws<ArgumentException>(() => Rle.Union([]));
        Assert.Throws<ArgumentException>(() => Rle.Iou([new Rle(2, 2, [4])], [new Rle(2, 2, [4])], [true, false]));
        Assert.Throws<ArgumentException>(() => Rle.Iou([new Rle(2, 2, [4])], [new Rle(1, 4, [4])], null));
    }
}
