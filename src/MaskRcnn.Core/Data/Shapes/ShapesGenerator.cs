using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;

namespace MaskRcnn.Data.Shapes;

/// <summary>
/// Draws the images of the built-in shapes dataset, after the classic Mask R-CNN "shapes" demo: a noisy
/// background with a gradient, and one to four squares, circles and triangles of random colours, sizes and
/// places, which may overlap and hide each other. Shapes are rasterized with the COCO polygon rasterizer, so the
/// masks written for them are exactly the pixels painted. Every image is a pure function of (seed, index).
/// </summary>
public sealed class ShapesGenerator(int seed, int minSide = 128, int maxSide = 256, int maxShapes = 4)
{
    public const int MinVisiblePixels = 40;

    public ShapesImage Render(int index)
    {
        // System.Random with a seed is stable across .NET versions; mix seed and index so neighbours differ.
        var rng = new Random(unchecked(seed * 1_000_003 + index * 7919 + 17));
        int width = rng.Next(minSide, maxSide + 1), height = rng.Next(minSide, maxSide + 1);
        var rgb = new byte[width * height * 3];
        var background = RandomColor(rng);
        PaintBackground(rgb, width, height, background, rng);

        var shapes = new List<(ShapeKind Kind, (byte, byte, byte) Color, double[] Polygon, Rle Full, CocoBox Box)>();
        int wanted = rng.Next(1, maxShapes + 1);
        for (int attempt = 0; shapes.Count < wanted && attempt < 50; attempt++)
        {
            var kind = (ShapeKind)rng.Next(1, 4);
            double size = rng.NextDouble() * (Math.Min(width, height) / 3.0 - 12) + 12; // half-extent in pixels
            double cx = size + rng.NextDouble() * (width - 2 * size), cy = size + rng.NextDouble() * (height - 2 * size);
            // Rounded as the JSON writes them, so the written polygon rasterizes to exactly the painted pixels.
            var polygon = Outline(kind, cx, cy, size).Select(v => Math.Round(v, 2)).ToArray();
            var full = Rle.FromPolygon(polygon, height, width);
            var box = full.ToBbox();
            // Overlap is welcome, but a shape mostly on top of another would leave too little of it to learn from.
            if (full.Area() < MinVisiblePixels || shapes.Any(s => CocoBox.Iou(box, s.Box, false) > 0.3)) continue;
            var color = RandomColor(rng);
            if (Distance(color, background) < 120 || shapes.Any(s => Distance(color, s.Color) < 60)) continue;
            shapes.Add((kind, color, polygon, full, box));
        }

        // Paint in order; later shapes cover earlier ones.
        var mask = new byte[width * height];
        foreach (var s in shapes)
        {
            s.Full.Decode(mask);
            for (int p = 0; p < mask.Length; p++)
                if (mask[p] != 0)
                {
                    int n = rng.Next(-8, 9);
                    rgb[3 * p] = Clamp(s.Color.Item1 + n);
                    rgb[3 * p + 1] = Clamp(s.Color.Item2 + n);
                    rgb[3 * p + 2] = Clamp(s.Color.Item3 + n);
                }
        }

        var drawn = new List<DrawnShape>();
        for (int i = 0; i < shapes.Count; i++)
        {
            var covering = shapes.Skip(i + 1).Select(s => s.Full).ToList();
            var visible = covering.Count == 0 ? shapes[i].Full : Subtract(shapes[i].Full, Rle.Union(covering));
            drawn.Add(new DrawnShape(shapes[i].Kind, shapes[i].Color, shapes[i].Polygon, shapes[i].Full, visible));
        }
        return new ShapesImage(index, width, height, rgb, drawn);
    }

    /// <summary>Vertices of the outline: an axis-aligned square, a 32-gon circle, an upright equilateral triangle.</summary>
    public static double[] Outline(ShapeKind kind, double cx, double cy, double size) => kind switch
    {
        ShapeKind.Square => [cx - size, cy - size, cx + size, cy - size, cx + size, cy + size, cx - size, cy + size],
        ShapeKind.Triangle => [cx, cy - size, cx + size * Math.Sqrt(3) / 2, cy + size / 2, cx - size * Math.Sqrt(3) / 2, cy + size / 2],
        ShapeKind.Circle => Enumerable.Range(0, 32).SelectMany(k => new[] { cx + size * Math.Cos(2 * Math.PI * k / 32), cy + size * Math.Sin(2 * Math.PI * k / 32) }).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    static Rle Subtract(Rle a, Rle b)
    {
        var am = a.Decode();
        var bm = b.Decode();
        for (int i = 0; i < am.Length; i++) am[i] = (byte)(am[i] & (bm[i] ^ 1));
        return Rle.Encode(am, a.Height, a.Width);
    }

    static void PaintBackground(byte[] rgb, int width, int height, (byte R, byte G, byte B) color, Random rng)
    {
        // A soft diagonal gradient plus per-pixel noise, so that "background" is not one flat colour.
        double gx = rng.NextDouble() * 40 - 20, gy = rng.NextDouble() * 40 - 20;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int shade = (int)(gx * x / width + gy * y / height) + rng.Next(-12, 13);
                int p = 3 * (y * width + x);
                rgb[p] = Clamp(color.R + shade);
                rgb[p + 1] = Clamp(color.G + shade);
                rgb[p + 2] = Clamp(color.B + shade);
            }
    }

    static (byte, byte, byte) RandomColor(Random rng) => ((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));

    static int Distance((byte R, byte G, byte B) a, (byte R, byte G, byte B) b) => Math.Abs(a.R - b.R) + Math.Abs(a.G - b.G) + Math.Abs(a.B - b.B);

    static byte Clamp(int v) => (byte)Math.Clamp(v, 0, 255);
}
