using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Structures.Masks;

/// <summary>
/// The polygons of each instance of one image: instance i is one or more polygons, each a flat x0, y0, x1, y1, ...
/// in pixel coordinates (pixel (x, y) covers [x, x+1)×[y, y+1)). Geometry is applied to the coordinates; pixels
/// come only from rasterizing with cocoapi's polygon rule (<see cref="Rle.FromPolygon"/>), parts merged by union.
/// </summary>
public sealed class PolygonMasks : IInstanceMasks
{
    readonly double[][][] _instances;

    /// <param name="instances">Per instance, its polygons; each needs at least 3 points (6 numbers) and an even count.</param>
    public PolygonMasks(IReadOnlyList<IReadOnlyList<double[]>> instances, int height, int width)
    {
        MaskGeometry.CheckSize(height, width, "image size");
        _instances = new double[instances.Count][][];
        for (int i = 0; i < instances.Count; i++)
        {
            var polygons = instances[i];
            if (polygons.Count == 0) throw new ArgumentException($"instance {i} has no polygons", nameof(instances));
            _instances[i] = new double[polygons.Count][];
            for (int p = 0; p < polygons.Count; p++)
            {
                var xy = polygons[p];
                if (xy.Length % 2 != 0) throw new ArgumentException($"instance {i} polygon {p} has an odd number of coordinates ({xy.Length})", nameof(instances));
                if (xy.Length < 6) throw new ArgumentException($"instance {i} polygon {p} has {xy.Length / 2} points; a polygon needs at least 3", nameof(instances));
                foreach (var c in xy)
                    if (!double.IsFinite(c)) throw new ArgumentException($"instance {i} polygon {p} has a non-finite coordinate ({c})", nameof(instances));
                _instances[i][p] = (double[])xy.Clone();
            }
        }
        Height = height;
        Width = width;
    }

    /// <summary>Takes already-checked arrays as they are.</summary>
    PolygonMasks(double[][][] instances, int height, int width)
    {
        _instances = instances;
        Height = height;
        Width = width;
    }

    public int Count => _instances.Length;
    public int Height { get; }
    public int Width { get; }

    /// <summary>The polygons of instance <paramref name="index"/>.</summary>
    public IReadOnlyList<double[]> this[int index] => Array.AsReadOnly(_instances[index].Select(p => (double[])p.Clone()).ToArray());

    public PolygonMasks FlipHorizontal() => MapCoordinates(Height, Width, (x, y) => (Width - x, y));

    public PolygonMasks FlipVertical() => MapCoordinates(Height, Width, (x, y) => (x, Height - y));

    public PolygonMasks Resize(int height, int width)
    {
        MaskGeometry.CheckSize(height, width, "resize target");
        double scaleX = (double)width / Width, scaleY = (double)height / Height;
        return MapCoordinates(height, width, (x, y) => (x * scaleX, y * scaleY));
    }

    /// <summary>Shifts the polygons by the box origin; they are not clipped (rasterizing clips them).</summary>
    public PolygonMasks Crop(int left, int top, int right, int bottom)
    {
        MaskGeometry.CheckCrop(left, top, right, bottom);
        return MapCoordinates(bottom - top, right - left, (x, y) => (x - left, y - top));
    }

    public PolygonMasks Select(ReadOnlySpan<long> indices)
    {
        var selected = new double[indices.Length][][];
        for (int i = 0; i < indices.Length; i++)
        {
            if (indices[i] < 0 || indices[i] >= Count) throw new ArgumentOutOfRangeException(nameof(indices), $"instance index {indices[i]} is outside 0..{Count - 1}");
            selected[i] = _instances[indices[i]];
        }
        return new PolygonMasks(selected, Height, Width);
    }

    /// <summary>Each instance as one run-length mask on the image: the union of its polygons.</summary>
    public IReadOnlyList<Rle> ToRles() => _instances.Select(polygons => Rasterize(polygons, Height, Width)).ToArray();

    /// <summary>Pixels in each instance's mask (the area of the union of its polygons' rasterizations).</summary>
    public long[] Area() => _instances.Select(polygons => (long)Rasterize(polygons, Height, Width).Area()).ToArray();

    public Tensor ToTensor(ScalarType dtype = ScalarType.Bool)
    {
        MaskTensors.CheckMaskDtype(dtype);
        int pixels = Height * Width;
        var bytes = new byte[(long)Count * pixels];
        for (int i = 0; i < Count; i++)
            Rasterize(_instances[i], Height, Width).Decode(bytes.AsSpan(i * pixels, pixels));
        return MaskTensors.FromBytes(bytes, [Count, Height, Width], dtype, device: null);
    }

    /// <summary>
    /// As detectron2's <c>rasterize_polygons_within_box</c>: each instance is shifted by its box origin, scaled by
    /// size / max(box side, 0.1) per axis, and rasterized on a size×size image. Box sides are computed in float32,
    /// as from a float box tensor; the coordinates themselves stay double.
    /// </summary>
    public Tensor CropAndResize(Tensor boxes, int size)
    {
        var corners = MaskTensors.ReadBoxes(boxes, Count);
        if (size <= 0) throw new ArgumentException($"mask size {size} is not positive", nameof(size));
        int pixels = size * size;
        var bytes = new byte[(long)Count * pixels];
        for (int i = 0; i < Count; i++)
        {
            float x0 = corners[4 * i], y0 = corners[4 * i + 1];
            float boxWidth = corners[4 * i + 2] - x0, boxHeight = corners[4 * i + 3] - y0;
            double scaleX = size / Math.Max(boxWidth, 0.1), scaleY = size / Math.Max(boxHeight, 0.1);
            var inBox = Map(_instances[i], (x, y) => ((x - x0) * scaleX, (y - y0) * scaleY));
            Rasterize(inBox, size, size).Decode(bytes.AsSpan(i * pixels, pixels));
        }
        return MaskTensors.FromBytes(bytes, [Count, size, size], ScalarType.Float32, boxes.device);
    }

    static Rle Rasterize(double[][] polygons, int height, int width) =>
        polygons.Length == 1 ? Rle.FromPolygon(polygons[0], height, width)
        : Rle.Union(polygons.Select(p => Rle.FromPolygon(p, height, width)).ToArray());

    PolygonMasks MapCoordinates(int height, int width, Func<double, double, (double X, double Y)> map) =>
        new(_instances.Select(polygons => Map(polygons, map)).ToArray(), height, width);

    static double[][] Map(double[][] polygons, Func<double, double, (double X, double Y)> map)
    {
        var mapped = new double[polygons.Length][];
        for (int p = 0; p < polygons.Length; p++)
        {
            var xy = polygons[p];
            var result = new double[xy.Length];
            for (int k = 0; k < xy.Length; k += 2)
                (result[k], result[k + 1]) = map(xy[k], xy[k + 1]);
            mapped[p] = result;
        }
        return mapped;
    }

    IInstanceMasks IInstanceMasks.FlipHorizontal() => FlipHorizontal();
    IInstanceMasks IInstanceMasks.FlipVertical() => FlipVertical();
    IInstanceMasks IInstanceMasks.Resize(int height, int width) => Resize(height, width);
    IInstanceMasks IInstanceMasks.Crop(int left, int top, int right, int bottom) => Crop(left, top, right, bottom);
    IInstanceMasks IInstanceMasks.Select(ReadOnlySpan<long> indices) => Select(indices);
}
