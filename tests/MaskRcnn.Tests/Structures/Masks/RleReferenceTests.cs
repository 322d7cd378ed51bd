using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;

namespace MaskRcnn.Tests.Structures.Masks;

/// <summary>Every operation against the numbers cocoapi's maskApi.c produced for the same inputs (see CocoReference).</summary>
public sealed class RleReferenceTests
{
    [Fact]
    public void Polygon_rasterization_is_bit_identical_to_cocoapi()
    {
        var m = new Mismatches();
        foreach (var c in CocoReference.Section("polygons"))
        {
            int h = c.Int("h"), w = c.Int("w");
            var rle = Rle.FromPolygon(c.Doubles("xy"), h, w);
            // Comparing the compressed strings compares every count; decoding the reference gives a readable diff.
            if (rle.ToCompressedString() != c.Str("rle"))
                m.CheckSequence(c.Name(), Rle.FromCompressedString(c.Str("rle"), h, w).Counts.ToArray(), rle.Counts.ToArray());
            else m.Check(c.Name(), 0, 0);
            m.Check(c.Name() + " area", c.GetProperty("area").GetUInt32(), rle.Area());
            m.Check(c.Name() + " bbox", c.Box("bbox"), rle.ToBbox());
        }
        m.AssertNone(3 * 400);
    }

    [Fact]
    public void Multi_polygon_segmentation_is_the_union_cocoapi_gives()
    {
        var m = new Mismatches();
        foreach (var c in CocoReference.Section("polygonUnions"))
        {
            var polygons = c.GetProperty("polygons").EnumerateArray().Select(p => p.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToList();
            var rle = CocoSegmentation.FromPolygons(polygons, c.Int("h"), c.Int("w"));
            m.Check(c.Name(), c.Str("rle"), rle.ToCompressedString());
        }
        m.AssertNone(60);
    }

    [Fact]
    public void Encode_and_decode_match_cocoapi()
    {
        var m = new Mismatches();
        foreach (var c in CocoReference.Section("encode"))
        {
            int h = c.Int("h"), w = c.Int("w");
            var mask = c.Mask();
            var rle = Rle.Encode(mask, h, w);
            m.CheckSequence(c.Name() + " counts", c.Counts("counts"), rle.Counts.ToArray());
            m.Check(c.Name() + " string", c.Str("rle"), rle.ToCompressedString());
            m.Check(c.Name() + " area", c.GetProperty("area").GetUInt32(), rle.Area());
            m.Check(c.Name() + " bbox", c.Box("bbox"), rle.ToBbox());
            m.CheckSequence(c.Name() + " decode", mask, new Rle(h, w, c.Counts("counts")).Decode());
            m.CheckSequence(c.Name() + " string decode", c.Counts("counts"), Rle.FromCompressedString(c.Str("rle"), h, w).Counts.ToArray());
        }
        m.AssertNone(6 * 40);
    }

    [Fact]
    public void Uncompressed_rles_including_non_canonical_and_huge_counts_match_cocoapi()
    {
        var m = new Mismatches();
        foreach (var c in CocoReference.Section("rles"))
        {
            int h = c.Int("h"), w = c.Int("w");
            var rle = CocoSegmentation.FromUncompressedRle(c.Counts("counts"), h, w);
            m.Check(c.Name() + " string", c.Str("rle"), rle.ToCompressedString());
            m.CheckSequence(c.Name() + " string decode", c.Counts("counts"), CocoSegmentation.FromCompressedRle(c.Str("rle"), h, w).Counts.ToArray());
            m.Check(c.Name() + " area", c.GetProperty("area").GetUInt32(), rle.Area());
            m.Check(c.Name() + " bbox", c.Box("bbox"), rle.ToBbox());
        }
        m.AssertNone(4 * 40);
    }

    [Fact]
    public void Merge_union_and_intersection_match_cocoapi()
    {
        var m = new Mismatches();
        foreach (var c in CocoReference.Section("merge"))
        {
            int h = c.Int("h"), w = c.Int("w");
            if (c.TryGetProperty("inputs", out var inputs))
            {
                var masks = inputs.EnumerateArray().Select(s => Rle.FromCompressedString(s.GetString()!, h, w)).ToList();
                m.Check(c.Name() + " union", c.Str("union"), Rle.Union(masks).ToCompressedString());
                m.Check(c.Name() + " intersection", c.Str("intersection"), Rle.Intersection(masks).ToCompressedString());
            }
            else
            {
                var masks = c.GetProperty("inputCounts").EnumerateArray().Select(a => new Rle(h, w, a.EnumerateArray().Select(v => v.GetUInt32()).ToArray())).ToList();
                m.CheckSequence(c.Name() + " union", c.Counts("unionCounts"), Rle.Union(masks).Counts.ToArray());
                m.CheckSequence(c.Name() + " intersection", c.Counts("intersectionCounts"), Rle.Intersection(masks).Counts.ToArray());
            }
        }
        m.AssertNone(2 * 110);
    }

    [Fact]
    public void Mask_iou_with_and_without_crowd_matches_cocoapi()
    {
        var m = new Mismatches();
        foreach (var c in CocoReference.Section("iou"))
        {
            int h = c.Int("h"), w = c.Int("w");
            List<Rle> Read(string strings, string counts) => c.TryGetProperty(strings, out var s)
                ? s.EnumerateArray().Select(x => Rle.FromCompressedString(x.GetString()!, h, w)).ToList()
                : c.GetProperty(counts).EnumerateArray().Select(a => new Rle(h, w, a.EnumerateArray().Select(v => v.GetUInt32()).ToArray())).ToList();
            var dt = Read("dt", "dtCounts");
            var gt = Read("gt", "gtCounts");
            var iou = Rle.Iou(dt, gt, c.Flags("iscrowd"));
            var expected = c.Matrix("iou");
            for (int d = 0; d < dt.Count; d++)
                for (int g = 0; g < gt.Count; g++)
                    m.Check($"{c.Name()} [{d},{g}]", expected[d][g], iou[d, g]);
        }
        m.AssertNone(200);
    }

    [Fact]
    public void Box_iou_with_and_without_crowd_matches_cocoapi()
    {
        var m = new Mismatches();
        foreach (var c in CocoReference.Section("boxIou"))
        {
            List<CocoBox> Boxes(string key) => c.GetProperty(key).EnumerateArray().Select(b => b.EnumerateArray().Select(v => v.GetDouble()).ToArray()).Select(v => new CocoBox(v[0], v[1], v[2], v[3])).ToList();
            var dt = Boxes("dt");
            var gt = Boxes("gt");
            var iou = CocoBox.Iou(dt, gt, c.Flags("iscrowd"));
            var expected = c.Matrix("iou");
            for (int d = 0; d < dt.Count; d++)
                for (int g = 0; g < gt.Count; g++)
                    m.Check($"{c.Name()} [{d},{g}]", expected[d][g], iou[d, g]);
        }
        m.AssertNone(300);
    }

    [Fact]
    public void Box_rasterization_matches_cocoapi()
    {
        var m = new Mismatches();
        foreach (var c in CocoReference.Section("frBbox"))
            m.Check(c.Name(), c.Str("rle"), Rle.FromBbox(c.Box("bbox"), c.Int("h"), c.Int("w")).ToCompressedString());
        m.AssertNone(60);
    }
}
