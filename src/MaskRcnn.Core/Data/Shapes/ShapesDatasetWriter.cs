using System.Runtime.InteropServices;
using MaskRcnn.Data.Coco;
using MaskRcnn.Structures;
using SkiaSharp;

namespace MaskRcnn.Data.Shapes;

/// <summary>
/// Writes a shapes dataset in COCO format: <c>images/NNNNNN.png</c> and <c>annotations.json</c> with one
/// category per shape kind. A fully visible shape is written as its polygon; a partly hidden one as the
/// compressed RLE of its visible pixels. With keypoints (the <c>shapes_keypoints_&lt;split&gt;</c> sets: the same images as
/// <c>shapes_&lt;split&gt;</c>) every annotation also gets COCO's 17 person keypoints placed on its shape
/// (<see cref="ShapeKeypoints"/>). The folder appears whole or not at all (written aside, then renamed).
/// </summary>
public static class ShapesDatasetWriter
{
    /// <summary>Seeds of the named splits; other split names get a stable hash of the name.</summary>
    public static int SeedOf(string split) => split switch
    {
        "train" => 1,
        "val" => 2,
        "test" => 3,
        _ => split.Aggregate(2166136261u, (h, c) => (h ^ c) * 16777619u) is var hash ? (int)(hash & 0x7fffffff) : 0,
    };

    /// <summary>How many images a named split gets when generated on first use.</summary>
    public static int DefaultImages(string split) => split == "train" ? 2000 : 200;

    /// <summary>The split names of the sets with keypoints start with this.</summary>
    public const string KeypointsPrefix = "keypoints_";

    /// <summary>Generates the dataset of <paramref name="entry"/> unless its annotation file already exists.</summary>
    public static void EnsureGenerated(DatasetEntry entry, TextWriter? log = null)
    {
        if (File.Exists(entry.AnnotationFile)) return;
        var split = entry.Name[DatasetCatalog.ShapesPrefix.Length..];
        bool keypoints = split.StartsWith(KeypointsPrefix, StringComparison.Ordinal) && split.Length > KeypointsPrefix.Length;
        if (keypoints) split = split[KeypointsPrefix.Length..];
        var root = Path.GetDirectoryName(entry.AnnotationFile)!;
        log?.WriteLine($"generating {entry.Name}: {DefaultImages(split)} images into {root}");
        Write(root, DefaultImages(split), SeedOf(split), keypoints: keypoints);
    }

    /// <param name="minSide">Smallest image side in pixels (each image's width and height are drawn in [min, max]).</param>
    /// <param name="keypoints">Also write 17 keypoints per annotation.</param>
    public static void Write(string root, int images, int seed, int minSide = 128, int maxSide = 256, bool keypoints = false)
    {
        if (images <= 0) throw new ArgumentException($"a dataset needs at least one image, got {images}");
        var full = Path.GetFullPath(root);
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(Path.Combine(staging, "images"));
        try
        {
            var generator = new ShapesGenerator(seed, minSide, maxSide);
            var rendered = new ShapesImage[images];
            Parallel.For(0, images, i =>
            {
                rendered[i] = generator.Render(i);
                WritePng(Path.Combine(staging, "images", FileName(i)), rendered[i]);
            });
            WriteAnnotations(Path.Combine(staging, "annotations.json"), rendered, seed, keypoints);
            if (Directory.Exists(full)) Directory.Delete(full, recursive: true);
            Directory.Move(staging, full);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    public static string FileName(int index) => $"{index:D6}.png";

    static void WritePng(string path, ShapesImage image)
    {
        var rgba = new byte[image.Width * image.Height * 4];
        for (int p = 0, q = 0; p < image.Rgb.Length; p += 3, q += 4)
        {
            rgba[q] = image.Rgb[p];
            rgba[q + 1] = image.Rgb[p + 1];
            rgba[q + 2] = image.Rgb[p + 2];
            rgba[q + 3] = 255;
        }
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), info.RowBytes);
            using var data = pixmap.Encode(SKEncodedImageFormat.Png, 100) ?? throw new IOException($"{path}: PNG encoding failed");
            using var file = File.Create(path);
            data.SaveTo(file);
        }
        finally { handle.Free(); }
    }

    static void WriteAnnotations(string path, IReadOnlyList<ShapesImage> images, int seed, bool keypoints)
    {
        using var stream = File.Create(path);
        using var coco = new CocoWriter(stream);
        coco.StartInstances();
        coco.Info($"maskrcnn built-in shapes dataset (seed {seed})");
        coco.StartImages();
        foreach (var image in images) coco.Image(new CocoImage(image.Index + 1, FileName(image.Index), image.Width, image.Height));
        coco.EndList();
        coco.StartAnnotations();
        long id = 1;
        foreach (var image in images)
            foreach (var shape in image.Shapes)
            {
                CocoSegmentationData segmentation = shape.IsOccluded ? CocoCompressedRle.Of(shape.Visible) : new CocoPolygons([shape.Polygon]);
                coco.Annotation(new CocoAnnotation(id++, image.Index + 1, (int)shape.Kind, shape.Visible.ToBbox(), shape.Visible.Area(), IsCrowd: false, segmentation)
                {
                    Keypoints = keypoints ? ShapeKeypoints.Of(shape, image.Width, image.Height) : null,
                });
            }
        coco.EndList();
        coco.StartCategories();
        foreach (var kind in Enum.GetValues<ShapeKind>()) coco.Category(new CocoCategory((int)kind, kind.ToString().ToLowerInvariant(), "shape"));
        coco.EndList();
        coco.EndInstances();
    }
}
