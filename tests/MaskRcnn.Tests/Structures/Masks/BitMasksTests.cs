using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Structures.Masks;

public sealed class BitMasksTests
{
    static byte[] Bytes(Tensor t)
    {
        using var values = t.to(ScalarType.Byte).cpu().contiguous().data<byte>();
        return values.ToArray();
    }

    static BitMasks Masks(byte[] rowMajor, int n, int h, int w) => new(torch.tensor(rowMajor, [n, h, w]));

    [Fact]
    public void Rles_round_trip_through_the_tensor_for_every_reference_mask()
    {
        int checkedMasks = 0;
        foreach (var group in CocoReference.Section("encode").Where(c => c.Int("h") > 0).GroupBy(c => (H: c.Int("h"), W: c.Int("w"))))
        {
            var cases = group.ToList();
            var rles = cases.Select(c => new Rle(group.Key.H, group.Key.W, c.Counts("counts"))).ToList();
            var masks = BitMasks.FromRles(rles, group.Key.H, group.Key.W);
            Assert.Equal(ScalarType.Bool, masks.Tensor.dtype);
            Assert.Equal(cases.SelectMany(c => c.Mask()).ToArray(), Bytes(masks.Tensor));
            Assert.Equal(rles, masks.ToRles());
            Assert.Equal(rles.Select(r => (long)r.Area()), masks.Area());
            checkedMasks += cases.Count;
        }
        Assert.Equal(42, checkedMasks);
    }

    [Fact]
    public void Byte_masks_are_stored_as_bool()
    {
        var masks = Masks([0, 3, 1, 0], 1, 2, 2);
        Assert.Equal(ScalarType.Bool, masks.Tensor.dtype);
        Assert.Equal(new byte[] { 0, 1, 1, 0 }, Bytes(masks.ToTensor(ScalarType.Byte)));
    }

    [Fact]
    public void Flip_mirrors_columns()
    {
        var masks = Masks([1, 0, 0, /**/ 1, 1, 0], 1, 2, 3);
        Assert.Equal(new byte[] { 0, 0, 1, /**/ 0, 1, 1 }, Bytes(masks.FlipHorizontal().Tensor));
    }

    [Fact]
    public void Resize_is_nearest_neighbour_like_torch_interpolate()
    {
        var masks = Masks([1, 0, /**/ 0, 1], 1, 2, 2);
        // Doubling repeats each pixel twice along each axis.
        Assert.Equal(new byte[] { 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1 }, Bytes(masks.Resize(4, 4).Tensor));

        // Any size: same source pixels as torch's interpolate(mode=nearest).
        var random = new Random(7);
        var bytes = new byte[3 * 13 * 17];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(random.NextDouble() < 0.4 ? 1 : 0);
        var source = Masks(bytes, 3, 13, 17);
        foreach (var (h, w) in new[] { (7, 5), (20, 31), (13, 40), (1, 1) })
        {
            var expected = nn.functional.interpolate(source.Tensor.to(ScalarType.Float32).unsqueeze(0), [h, w], mode: InterpolationMode.Nearest).squeeze(0);
            Assert.Equal(Bytes(expected), Bytes(source.Resize(h, w).Tensor));
        }
    }

    [Fact]
    public void Crop_slices_and_pads_outside_the_image_with_zeros()
    {
        var masks = Masks([1, 2, 3, 4, 5, 6, 7, 8, 9], 1, 3, 3);
        // Box x ∈ [-1, 2), y ∈ [1, 4): column −1 and row 3 are outside → zeros; the rest is rows 1-2, columns 0-1.
        var cropped = masks.Crop(-1, 1, 2, 4);
        Assert.Equal((3, 3), (cropped.Height, cropped.Width));
        Assert.Equal(new byte[] { 0, 1, 1, /**/ 0, 1, 1, /**/ 0, 0, 0 }, Bytes(cropped.Tensor));
        // Entirely outside: all zeros.
        Assert.Equal(new byte[4], Bytes(masks.Crop(5, 5, 7, 7).Tensor));
    }

    [Fact]
    public void Select_picks_instances_in_order()
    {
        var masks = Masks([1, 0, 0, 0, /**/ 0, 1, 0, 0], 2, 2, 2);
        Assert.Equal(new byte[] { 0, 1, 0, 0, 1, 0, 0, 0 }, Bytes(masks.Select([1, 0]).Tensor));
    }

    [Fact]
    public void Crop_and_resize_samples_bin_centres_bilinearly()
    {
        // Pixels 2..5 (both axes) of a 10×10 mask are set.
        var bytes = new byte[100];
        for (int y = 2; y < 6; y++)
            for (int x = 2; x < 6; x++) bytes[y * 10 + x] = 1;
        var masks = Masks([.. bytes, .. bytes, .. bytes], 3, 10, 10);
        var boxes = torch.tensor(new float[] { 2, 2, 6, 6, /**/ 0, 0, 8, 8, /**/ 0.5f, 0, 8.5f, 8 }, [3, 4]);
        var values = Bytes(masks.CropAndResize(boxes, 4));
        // Box = the set pixels: samples at the pixel centres 2.5 … 5.5 → all 1.
        Assert.All(values[..16], v => Assert.Equal(1, v));
        // Box [0, 8]: samples at 1, 3, 5, 7, i.e. halfway between pixels 0|1 (0), 2|3 (1), 4|5 (1), 6|7 (0).
        byte[] centre2x2 = [0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0];
        Assert.Equal(centre2x2, values[16..32]);
        // Shifted half a pixel right: x samples at 1.5, 3.5, 5.5, 7.5 → pixel centres 1, 3, 5, 7 → 0, 1, 1, 0 in x.
        Assert.Equal(centre2x2, values[32..]);
    }

    [Fact]
    public void Crop_and_resize_keeps_a_value_of_exactly_one_half()
    {
        // Set pixels x ≥ 3 of an 8-wide row band; box [0, 8]: the sample at x = 3 lies halfway between pixels 2 (0) and 3 (1).
        var bytes = new byte[8 * 8];
        for (int y = 0; y < 8; y++)
            for (int x = 3; x < 8; x++) bytes[y * 8 + x] = 1;
        var values = Bytes(Masks(bytes, 1, 8, 8).CropAndResize(torch.tensor(new float[] { 0, 0, 8, 8 }, [1, 4]), 4));
        for (int r = 0; r < 4; r++) Assert.Equal(new byte[] { 0, 1, 1, 1 }, values[(r * 4)..(r * 4 + 4)]);
    }

    [Fact]
    public void Crop_and_resize_agrees_with_scalar_roi_align_one_sample_per_bin()
    {
        var random = new Random(11);
        const int n = 40, h = 23, w = 31, size = 7;
        var bytes = new byte[n * h * w];
        for (int i = 0; i < n; i++)
        {
            // Random rectangles and noise so that edges fall everywhere.
            int x0 = random.Next(w), y0 = random.Next(h), x1 = random.Next(x0, w), y1 = random.Next(y0, h);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    bytes[(i * h + y) * w + x] = (byte)((x >= x0 && x <= x1 && y >= y0 && y <= y1) ^ (random.NextDouble() < 0.1) ? 1 : 0);
        }
        var boxValues = new float[n * 4];
        for (int i = 0; i < n; i++)
        {
            // Boxes inside, across the border, outside, and sub-pixel.
            float bx = (float)(random.NextDouble() * (w + 6) - 3), by = (float)(random.NextDouble() * (h + 6) - 3);
            float bw = i % 8 == 0 ? (float)random.NextDouble() * 0.5f : (float)random.NextDouble() * w;
            float bh = i % 8 == 0 ? (float)random.NextDouble() * 0.5f : (float)random.NextDouble() * h;
            (boxValues[4 * i], boxValues[4 * i + 1], boxValues[4 * i + 2], boxValues[4 * i + 3]) = (bx, by, bx + bw, by + bh);
        }
        var actual = Bytes(Masks(bytes, n, h, w).CropAndResize(torch.tensor(boxValues, [n, 4]), size));

        int compared = 0;
        for (int i = 0; i < n; i++)
        {
            float startX = boxValues[4 * i] - 0.5f, startY = boxValues[4 * i + 1] - 0.5f;
            float binX = (boxValues[4 * i + 2] - 0.5f - startX) / size, binY = (boxValues[4 * i + 3] - 0.5f - startY) / size;
            for (int r = 0; r < size; r++)
                for (int c = 0; c < size; c++)
                {
                    float value = RoiAlignSample(bytes.AsSpan(i * h * w, h * w), h, w, startY + r * binY + 0.5f * binY, startX + c * binX + 0.5f * binX);
                    if (Math.Abs(value - 0.5f) < 1e-4f) continue; // a tie may round either way between summation orders
                    Assert.True((value >= 0.5f ? 1 : 0) == actual[(i * size + r) * size + c], $"instance {i} bin ({r}, {c}): RoIAlign gives {value}");
                    compared++;
                }
        }
        Assert.True(compared > n * size * size * 9 / 10);
    }

    /// <summary>torchvision's RoIAlign bilinear read of one point (pixel-index coordinates), written out per pixel.</summary>
    static float RoiAlignSample(ReadOnlySpan<byte> mask, int height, int width, float y, float x)
    {
        if (y < -1.0f || y > height || x < -1.0f || x > width) return 0;
        if (y <= 0) y = 0;
        if (x <= 0) x = 0;
        int yLow = (int)y, xLow = (int)x, yHigh, xHigh;
        if (yLow >= height - 1) { yHigh = yLow = height - 1; y = yLow; } else yHigh = yLow + 1;
        if (xLow >= width - 1) { xHigh = xLow = width - 1; x = xLow; } else xHigh = xLow + 1;
        float ly = y - yLow, lx = x - xLow, hy = 1 - ly, hx = 1 - lx;
        return hy * hx * mask[yLow * width + xLow] + hy * lx * mask[yLow * width + xHigh]
             + ly * hx * mask[yHigh * width + xLow] + ly * lx * mask[yHigh * width + xHigh];
    }

    [Fact]
    public void Both_mask_kinds_agree_on_pixel_aligned_squares_through_the_shared_interface()
    {
        double[] square = [1, 1, 4, 1, 4, 4, 1, 4];
        IInstanceMasks polygons = new PolygonMasks([[square]], 6, 7);
        IInstanceMasks bits = new BitMasks(polygons.ToTensor());
        Assert.Equal(Bytes(polygons.ToTensor()), Bytes(bits.ToTensor()));
        Assert.Equal(Bytes(polygons.FlipHorizontal().ToTensor()), Bytes(bits.FlipHorizontal().ToTensor()));
        Assert.Equal(Bytes(polygons.Crop(1, 0, 6, 5).ToTensor()), Bytes(bits.Crop(1, 0, 6, 5).ToTensor()));
        Assert.Equal(Bytes(polygons.Resize(12, 14).ToTensor()), Bytes(bits.Resize(12, 14).ToTensor()));
        var box = torch.tensor(new float[] { 1, 1, 4, 4 }, [1, 4]);
        Assert.Equal(Bytes(polygons.CropAndResize(box, 3)), Bytes(bits.CropAndResize(box, 3)));
        Assert.Equal(2, bits.Select([0, 0]).Count);
    }

    [Fact]
    public void Empty_instance_sets_work()
    {
        var masks = BitMasks.FromRles([], 4, 5);
        Assert.Equal(new long[] { 0, 4, 5 }, masks.Tensor.shape);
        Assert.Empty(masks.ToRles());
        Assert.Empty(masks.Area());
        Assert.Equal(new long[] { 0, 3, 3 }, masks.CropAndResize(torch.zeros(0, 4), 3).shape);
    }

    [Fact]
    public void Bad_input_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new BitMasks(torch.zeros(2, 3)));
        Assert.Throws<ArgumentException>(() => new BitMasks(torch.zeros(1, 2, 3, ScalarType.Float32)));
        Assert.Throws<ArgumentException>(() => BitMasks.FromRles([new Rle(2, 2, [4])], 4, 1));
        Assert.Throws<ArgumentException>(() => Masks([1, 0, 0, 1], 1, 2, 2).Crop(1, 1, 1, 2));
        Assert.Throws<ArgumentException>(() => Masks([1, 0, 0, 1], 1, 2, 2).CropAndResize(torch.zeros(2, 4), 3));
    }
}
