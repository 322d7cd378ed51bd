using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Structures.Masks;

public sealed class PolygonMasksTests
{
    // Pixels x, y ∈ {1, 2} of a 5×5 image (centres 1.5 and 2.5 are inside [1, 3]).
    static readonly double[] Square1To3 = [1, 1, 3, 1, 3, 3, 1, 3];

    static byte[] Bytes(Tensor t)
    {
        using var values = t.to(ScalarType.Byte).cpu().contiguous().data<byte>();
        return values.ToArray();
    }

    [Fact]
    public void To_tensor_matches_cocoapi_union_of_each_instances_polygons()
    {
        // All reference multi-polygon unions of one image size become the instances of one PolygonMasks.
        int checkedInstances = 0;
        foreach (var group in CocoReference.Section("polygonUnions").GroupBy(c => (H: c.Int("h"), W: c.Int("w"))))
        {
            var cases = group.ToList();
            var instances = cases.Select(c => (IReadOnlyList<double[]>)c.GetProperty("polygons").EnumerateArray()
                .Select(p => p.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToList()).ToList();
            var masks = new PolygonMasks(instances, group.Key.H, group.Key.W);
            var tensor = masks.ToTensor(ScalarType.Byte);
            Assert.Equal(new long[] { cases.Count, group.Key.H, group.Key.W }, tensor.shape);
            var expected = cases.SelectMany(c => Rle.FromCompressedString(c.Str("rle"), group.Key.H, group.Key.W).Decode()).ToArray();
            Assert.Equal(expected, Bytes(tensor));
            Assert.Equal(cases.Select(c => (long)Rle.FromCompressedString(c.Str("rle"), group.Key.H, group.Key.W).Area()), masks.Area());
            checkedInstances += cases.Count;
        }
        Assert.Equal(60, checkedInstances);
    }

    [Fact]
    public void Flip_maps_x_to_width_minus_x()
    {
        var flipped = new PolygonMasks([[Square1To3]], 5, 5).FlipHorizontal();
        Assert.Equal([4.0, 1, 2, 1, 2, 3, 4, 3], flipped[0][0]);
        // Pixels x ∈ {1, 2} mirror to {2, 3} on a 5-wide image.
        Assert.Equal(new Rle(5, 5, [11, 2, 3, 2, 7]).Decode(), Bytes(flipped.ToTensor()));
    }

    [Fact]
    public void Resize_scales_each_axis_and_crop_shifts_by_the_box_origin()
    {
        var masks = new PolygonMasks([[Square1To3]], 5, 5);
        var resized = masks.Resize(20, 10);
        Assert.Equal((20, 10), (resized.Height, resized.Width));
        Assert.Equal([2.0, 4, 6, 4, 6, 12, 2, 12], resized[0][0]);

        var cropped = masks.Crop(1, 1, 4, 5);
        Assert.Equal((4, 3), (cropped.Height, cropped.Width));
        Assert.Equal([0.0, 0, 2, 0, 2, 2, 0, 2], cropped[0][0]);
        // Crops may reach outside the image; polygons are shifted, not clipped.
        Assert.Equal([3.0, 3, 5, 3, 5, 5, 3, 5], masks.Crop(-2, -2, 3, 3)[0][0]);
    }

    [Fact]
    public void Area_is_the_pixel_count_of_the_union()
    {
        // Two overlapping 2×2 squares share one column: 6 pixels.
        var masks = new PolygonMasks([[Square1To3, [2, 1, 4, 1, 4, 3, 2, 3]], [Square1To3]], 5, 5);
        Assert.Equal([6L, 4], masks.Area());
    }

    [Fact]
    public void Select_reorders_and_repeats_instances()
    {
        var masks = new PolygonMasks([[Square1To3], [[0, 0, 1, 0, 1, 1]]], 5, 5);
        var selected = masks.Select([1, 0, 1]);
        Assert.Equal(3, selected.Count);
        Assert.Equal(masks[1][0], selected[0][0]);
        Assert.Equal(masks[0][0], selected[1][0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => masks.Select([2]));
    }

    [Fact]
    public void Crop_and_resize_rasterizes_each_instance_inside_its_box()
    {
        double[] square2To6 = [2, 2, 6, 2, 6, 6, 2, 6];
        var masks = new PolygonMasks([[square2To6], [square2To6], [[0, 0, 4, 0, 4, 4, 0, 4]]], 10, 10);
        var boxes = torch.tensor(new float[] { 2, 2, 6, 6, /**/ 0, 2, 8, 6, /**/ 0, 0, 8, 8 }, [3, 4]);
        var targets = masks.CropAndResize(boxes, 4);
        Assert.Equal(ScalarType.Float32, targets.dtype);
        Assert.Equal(new long[] { 3, 4, 4 }, targets.shape);
        var values = Bytes(targets);
        // 0: the box is the square: shifted to [0,4]², scale 1, every pixel.
        Assert.All(values[..16], v => Assert.Equal(1, v));
        // 1: box 8 wide, 4 high: x scaled by ½ → square spans x ∈ [1, 3], y ∈ [0, 4]: columns 1-2, all rows.
        Assert.Equal(new byte[] { 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0 }, values[16..32]);
        // 2: [0,4]² scaled by ½ → [0,2]²: the top-left 2×2.
        Assert.Equal(new byte[] { 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, values[32..]);
    }

    [Fact]
    public void Crop_and_resize_floors_box_sides_at_a_tenth_of_a_pixel()
    {
        // A 0.02-wide box scales by 4 / 0.1 = 40, not 4 / 0.02: the triangle (5,5), (5.05,5), (5,5.1) becomes
        // (0,0), (2,0), (0,4), whose inside x/2 + y/4 < 1 holds for the centres (0.5,0.5), (1.5,0.5), (0.5,1.5), (0.5,2.5).
        var masks = new PolygonMasks([[[5, 5, 5.05, 5, 5, 5.1]]], 10, 10);
        var boxes = torch.tensor(new float[] { 5, 5, 5.02f, 5.02f }, [1, 4]);
        Assert.Equal(new byte[] { 1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 }, Bytes(masks.CropAndResize(boxes, 4)));
    }

    [Fact]
    public void Bad_polygons_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new PolygonMasks([[[1, 2, 3, 4]]], 5, 5));
        Assert.Throws<ArgumentException>(() => new PolygonMasks([[[1, 2, 3, 4, 5, 6, 7]]], 5, 5));
        Assert.Throws<ArgumentException>(() => new PolygonMasks([[]], 5, 5));
        Assert.Throws<ArgumentException>(() => new PolygonMasks([[Square1To3]], 5, 5).CropAndResize(torch.zeros(2, 4), 4));
        Assert.Throws<ArgumentException>(() => new PolygonMasks([[Square1To3]], 5, 5).ToTensor(ScalarType.Float32));
    }
}
