using MaskRcnn.Data;
using MaskRcnn.Data.Coco;
using MaskRcnn.Data.Shapes;
using MaskRcnn.Structures;

namespace MaskRcnn.Tests.Data;

public class ShapesDatasetTests : IClassFixture<ShapesDatasetTests.Written>
{
    /// <summary>One 20-image dataset written for all tests of the class.</summary>
    public sealed class Written : IDisposable
    {
        public TempDir Dir { get; } = new();
        public string Root => Path.Combine(Dir.Path, "shapes_test");
        public Written() => ShapesDatasetWriter.Write(Root, images: 20, seed: 5);
        public void Dispose() => Dir.Dispose();
    }

    readonly Written data;
    public ShapesDatasetTests(Written data) => this.data = data;

    CocoFile Load() => CocoFile.Load(Path.Combine(data.Root, "annotations.json"));

    [Fact]
    public void WritesAValidCocoDataset()
    {
        var coco = Load();
        Assert.Equal(20, coco.Images.Count);
        Assert.Equal(["square", "circle", "triangle"], coco.Categories.Select(c => c.Name));
        Assert.Equal(20, Directory.GetFiles(Path.Combine(data.Root, "images"), "*.png").Length);
        Assert.All(coco.Images, i => Assert.True(i.Width is >= 128 and <= 256 && i.Height is >= 128 and <= 256));
        Assert.All(coco.Images, i => Assert.NotEmpty(coco.AnnotationsOf(i.Id)));
        // Both segmentation forms appear: polygons for whole shapes, RLE for partly hidden ones.
        Assert.Contains(coco.Annotations, a => a.Segmentation is CocoPolygons);
        Assert.Contains(coco.Annotations, a => a.Segmentation is CocoCompressedRle);
    }

    [Fact]
    public void EveryMaskIsExactlyThePixelsPaintedInItsShapesColour()
    {
        var coco = Load();
        var generator = new ShapesGenerator(seed: 5);
        foreach (var image in coco.Images)
        {
            var drawn = generator.Render((int)image.Id - 1);
            var pixels = ImageDecoder.Decode(Path.Combine(data.Root, "images", image.FileName), int.MaxValue).permute(1, 2, 0).contiguous().data<byte>().ToArray();
            var annotations = coco.AnnotationsOf(image.Id);
            Assert.Equal(drawn.Shapes.Count, annotations.Count);
            for (int k = 0; k < annotations.Count; k++)
            {
                var shape = drawn.Shapes[k];
                var mask = annotations[k].Segmentation!.ToRle(image.Height, image.Width);
                Assert.Equal(shape.Visible, mask);
                Assert.Equal((long)shape.Kind, annotations[k].CategoryId);
                Assert.Equal(mask.Area(), annotations[k].Area);
                var bits = mask.Decode();
                var full = shape.Full.Decode();
                for (int p = 0; p < bits.Length; p++)
                {
                    bool nearColour = Math.Abs(pixels[3 * p] - shape.Color.R) <= 8 && Math.Abs(pixels[3 * p + 1] - shape.Color.G) <= 8
                                      && Math.Abs(pixels[3 * p + 2] - shape.Color.B) <= 8;
                    if (bits[p] != 0) Assert.True(nearColour, $"image {image.Id} shape {k}: pixel {p} is in the mask but not painted in the shape's colour");
                    // A hidden pixel shows the covering shape, whose colour differs by ≥ 60 summed over channels (≥ 20 in one).
                    else if (full[p] != 0) Assert.False(nearColour, $"image {image.Id} shape {k}: hidden pixel {p} still shows the shape's colour");
                }
            }
        }
    }

    [Fact]
    public void SameSeedSameDatasetOtherSeedAnother()
    {
        using var dir = new TempDir();
        ShapesDatasetWriter.Write(Path.Combine(dir.Path, "a"), 5, seed: 5);
        ShapesDatasetWriter.Write(Path.Combine(dir.Path, "b"), 5, seed: 6);
        var original = File.ReadAllBytes(Path.Combine(data.Root, "annotations.json"));
        var again = File.ReadAllBytes(Path.Combine(dir.Path, "a", "annotations.json"));
        var other = File.ReadAllText(Path.Combine(dir.Path, "b", "annotations.json"));
        // The first five images of the 20-image set are the five-image set: images depend on (seed, index) only.
        Assert.Equal(File.ReadAllBytes(Path.Combine(data.Root, "images", "000003.png")), File.ReadAllBytes(Path.Combine(dir.Path, "a", "images", "000003.png")));
        Assert.NotEqual(System.Text.Encoding.UTF8.GetString(again), other);
        Assert.NotEqual(ShapesDatasetWriter.SeedOf("train"), ShapesDatasetWriter.SeedOf("val"));
    }

    [Fact]
    public void CatalogGeneratesShapesSplitsOnFirstUse()
    {
        using var dir = new TempDir();
        var catalog = DatasetCatalog.Create(dataDir: dir.Path);
        var entry = catalog.Get("shapes_tiny");
        Assert.True(entry.IsGenerated);
        Assert.False(File.Exists(entry.AnnotationFile));
        var log = new StringWriter();
        ShapesDatasetWriter.EnsureGenerated(entry, log);
        Assert.True(File.Exists(entry.AnnotationFile));
        Assert.Equal(ShapesDatasetWriter.DefaultImages("tiny"), CocoFile.Load(entry.AnnotationFile).Images.Count);
        Assert.Contains("generating shapes_tiny", log.ToString());
        Assert.Empty(Directory.GetDirectories(Path.Combine(dir.Path, "shapes"), ".*")); // no staging folder left behind
    }
}
