using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using TorchSharp;

namespace MaskRcnn.Benchmarks;

/// <summary>COCO RLE and instance-mask operations at COCO-like sizes (800×1088 images).</summary>
public static class MaskBenchmarks
{
    const int Height = 800, Width = 1088;

    public static IEnumerable<BenchCase> Cases() =>
    [
        new("Mask RLE encode+decode 100 masks 800x1088", () =>
        {
            var random = new Random(1);
            var masks = Enumerable.Range(0, 100).Select(_ => RandomObject(random).Decode()).ToArray();
            var decoded = new byte[Height * Width];
            return () =>
            {
                foreach (var mask in masks) Rle.Encode(mask, Height, Width).Decode(decoded);
            };
        }),
        new("Mask frPoly 1000 polygons (24 vertices) 800x1088", () =>
        {
            var random = new Random(2);
            var polygons = Enumerable.Range(0, 1000).Select(_ => RandomPolygon(random, 24)).ToArray();
            return () =>
            {
                foreach (var polygon in polygons) Rle.FromPolygon(polygon, Height, Width);
            };
        }),
        new("Mask RLE IoU 100x100 800x1088", () =>
        {
            var random = new Random(3);
            var detections = Enumerable.Range(0, 100).Select(_ => RandomObject(random)).ToArray();
            var groundTruths = Enumerable.Range(0, 100).Select(_ => RandomObject(random)).ToArray();
            var crowd = Enumerable.Range(0, 100).Select(i => i % 10 == 0).ToArray();
            return () => Rle.Iou(detections, groundTruths, crowd);
        }),
        new("Mask BitMasks crop-and-resize 100 masks 800x1088 -> 28x28", () =>
        {
            var random = new Random(4);
            var rles = Enumerable.Range(0, 100).Select(_ => RandomObject(random)).ToArray();
            var masks = BitMasks.FromRles(rles, Height, Width);
            var boxes = torch.tensor(rles.SelectMany(r => { var b = r.ToBbox(); return new[] { (float)b.X, (float)b.Y, (float)(b.X + b.Width), (float)(b.Y + b.Height) }; }).ToArray(), [100, 4]);
            masks.Tensor.DetachFromDisposeScope();
            boxes.DetachFromDisposeScope();
            return () => masks.CropAndResize(boxes, 28);
        }),
        new("Mask PolygonMasks crop-and-resize 100 instances -> 28x28", () =>
        {
            var random = new Random(5);
            var instances = Enumerable.Range(0, 100).Select(_ => (IReadOnlyList<double[]>)[RandomPolygon(random, 24)]).ToArray();
            var masks = new PolygonMasks(instances, Height, Width);
            var boxes = torch.tensor(masks.ToRles().SelectMany(r => { var b = r.ToBbox(); return new[] { (float)b.X, (float)b.Y, (float)(b.X + b.Width), (float)(b.Y + b.Height) }; }).ToArray(), [100, 4]);
            boxes.DetachFromDisposeScope();
            return () => masks.CropAndResize(boxes, 28);
        }),
    ];

    /// <summary>A star-shaped polygon of COCO-object size somewhere in the image.</summary>
    static double[] RandomPolygon(Random random, int vertices)
    {
        double cx = random.NextDouble() * Width, cy = random.NextDouble() * Height, radius = 20 + random.NextDouble() * 200;
        var angles = Enumerable.Range(0, vertices).Select(_ => random.NextDouble() * 2 * Math.PI).Order().ToArray();
        return angles.SelectMany(a =>
        {
            double r = radius * (0.4 + 0.6 * random.NextDouble());
            return new[] { Math.Round(cx + r * Math.Cos(a), 2), Math.Round(cy + r * Math.Sin(a), 2) };
        }).ToArray();
    }

    static Rle RandomObject(Random random) => Rle.Union([Rle.FromPolygon(RandomPolygon(random, 24), Height, Width), Rle.FromPolygon(RandomPolygon(random, 12), Height, Width)]);
}
