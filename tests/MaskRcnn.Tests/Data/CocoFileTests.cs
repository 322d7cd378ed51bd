using MaskRcnn.Config;
using MaskRcnn.Data;
using MaskRcnn.Data.Coco;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using TorchSharp;

namespace MaskRcnn.Tests.Data;

/// <summary>A small COCO file written by the test: polygons, both RLE forms, a crowd region, an image without
/// annotations, and a corrupt image.</summary>
public sealed class SmallCoco : IDisposable
{
    public TempDir Dir { get; } = new();
    public string AnnotationFile => Path.Combine(Dir.Path, "instances.json");
    public string ImageDir => Path.Combine(Dir.Path, "images");

    // Image 1 (40 wide, 30 high): a polygon square (cat 7), a compressed-RLE instance (cat 3), a crowd RLE region (cat 3).
    // Image 2 (20x20): an uncompressed-RLE instance (cat 7) and a degenerate 0.5-pixel-wide box.
    // Image 3: no annotations. Image 4: a corrupt file.
    public const string Json = """
    {
      "images": [
        {"id": 1, "file_name": "a.png", "width": 40, "height": 30},
        {"id": 2, "file_name": "b.png", "width": 20, "height": 20},
        {"id": 3, "file_name": "c.png", "width": 10, "height": 10},
        {"id": 4, "file_name": "broken.png", "width": 10, "height": 10}
      ],
      "categories": [{"id": 7, "name": "seven"}, {"id": 3, "name": "three", "supercategory": "numbers"}],
      "annotations": [
        {"id": 10, "image_id": 1, "category_id": 7, "bbox": [2, 3, 10, 8], "area": 80, "iscrowd": 0,
         "segmentation": [[2, 3, 12, 3, 12, 11, 2, 11]]},
        {"id": 11, "image_id": 1, "category_id": 3, "bbox": [20, 0, 1, 5], "area": 5, "iscrowd": 0,
         "segmentation": {"counts": "RLE_A", "size": [30, 40]}},
        {"id": 12, "image_id": 1, "category_id": 3, "bbox": [0, 0, 40, 30], "area": 1200, "iscrowd": 1,
         "segmentation": {"counts": [0, 1200], "size": [30, 40]}},
        {"id": 20, "image_id": 2, "category_id": 7, "bbox": [1, 1, 2, 2], "area": 4, "iscrowd": 0,
         "segmentation": {"counts": [21, 2, 18, 2, 357], "size": [20, 20]}},
        {"id": 21, "image_id": 2, "category_id": 7, "bbox": [5, 5, 0.5, 4], "area": 2, "iscrowd": 0,
         "segmentation": [[5, 5, 5.5, 5, 5.5, 9, 5, 9]]},
        {"id": 40, "image_id": 4, "category_id": 7, "bbox": [1, 1, 3, 3], "area": 9, "iscrowd": 0,
         "segmentation": [[1, 1, 4, 1, 4, 4, 1, 4]]}
      ]
    }
    """;

    /// <summary>Column 20, rows 0..4 of a 30x40 image: 600 zeros, 5 ones, the rest zeros.</summary>
    public static Rle RleA => new(30, 40, [600, 5, 595]);

    public SmallCoco()
    {
        Directory.CreateDirectory(ImageDir);
        File.WriteAllText(AnnotationFile, Json.Replace("RLE_A", RleA.ToCompressedString()));
        WritePng("a.png", 40, 30);
        WritePng("b.png", 20, 20);
        WritePng("c.png", 10, 10);
        File.WriteAllBytes(Path.Combine(ImageDir, "broken.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
    }

    void WritePng(string name, int width, int height) =>
        File.WriteAllBytes(Path.Combine(ImageDir, name), ImageFiles.Png(width, height, (x, y) => ((byte)x, (byte)y, 100)));

    public void Dispose() => Dir.Dispose();
}

public class CocoFileTests : IClassFixture<SmallCoco>
{
    readonly SmallCoco coco;
    public CocoFileTests(SmallCoco coco) => this.coco = coco;

    [Fact]
    public void ReadsAllThreeSegmentationForms()
    {
        var file = CocoFile.Load(coco.AnnotationFile);
        Assert.Equal(4, file.Images.Count);
        Assert.Equal(6, file.Annotations.Count);
        var byId = file.Annotations.ToDictionary(a => a.Id);
        Assert.IsType<CocoPolygons>(byId[10].Segmentation);
        Assert.IsType<CocoCompressedRle>(byId[11].Segmentation);
        Assert.IsType<CocoUncompressedRle>(byId[12].Segmentation);
        Assert.True(byId[12].IsCrowd);
        Assert.Equal(SmallCoco.RleA, byId[11].Segmentation!.ToRle(30, 40));
        Assert.Equal(1200u, byId[12].Segmentation!.ToRle(30, 40).Area());
        Assert.Empty(file.AnnotationsOf(3));
    }

    [Fact]
    public void TrainingTargetsFollowMaskrcnnBenchmark()
    {
        var dataset = new CocoDetectionDataset(CocoFile.Load(coco.AnnotationFile), coco.ImageDir, forTraining: true);
        // Image 3 has no annotation and is dropped; the others stay, in id order.
        Assert.Equal([1L, 2L, 4L], Enumerable.Range(0, dataset.Count).Select(dataset.ImageIdAt));
        // Categories 3 and 7 become labels 1 and 2 (sorted id order) and map back.
        Assert.Equal([0L, 3L, 7L], dataset.CategoryOfLabel);
        Assert.Equal(["__background", "three", "seven"], dataset.ClassNames);

        var first = dataset.Load(0, int.MaxValue);
        Assert.Equal(new long[] { 3, 30, 40 }, first.Image.shape);
        // The crowd region is not a target; xywh became xyxy with no "+1".
        TensorAssert.Equal(torch.tensor(new float[] { 2, 3, 12, 11, 20, 0, 21, 5 }, [2, 4]), first.Target.Boxes);
        Assert.Equal(new long[] { 2, 1 }, first.Target.Field(BoxFields.Labels).data<long>().ToArray());
        // A polygon and an RLE in one image: both become bitmaps, exactly the COCO rasterizations.
        var masks = first.Target.Field<IInstanceMasks>(BoxFields.Masks);
        Assert.IsType<BitMasks>(masks);
        Assert.Equal(80L, masks.ToTensor()[0].sum().item<long>());
        Assert.Equal(5L, masks.ToTensor()[1].sum().item<long>());

        // Image 2: the 0.5-pixel-wide box is degenerate and removed.
        var second = dataset.Load(1, int.MaxValue);
        Assert.Equal(1, second.Target.Count);
        Assert.Equal(4L, second.Target.Field<IInstanceMasks>(BoxFields.Masks).ToTensor().sum().item<long>());
    }

    [Fact]
    public void OnlyYolactWithItsCrowdRuleOnGetsCrowdTargets()
    {
        var cfg = new MaskRcnnConfig();
        Assert.False(CocoDetectionDataset.CrowdTargetsFor(cfg.Model));
        cfg.Model.MetaArchitecture = "YOLACT";
        Assert.True(CocoDetectionDataset.CrowdTargetsFor(cfg.Model));
        cfg.Model.Yolact.CrowdIouThreshold = 1;
        Assert.False(CocoDetectionDataset.CrowdTargetsFor(cfg.Model));

        // Mask R-CNN's targets, as the trainer opens them: the crowd region left out, no iscrowd field.
        var maskRcnn = new CocoDetectionDataset(CocoFile.Load(coco.AnnotationFile), coco.ImageDir, forTraining: true,
                                                crowdTargets: CocoDetectionDataset.CrowdTargetsFor(new MaskRcnnConfig().Model));
        var plain = maskRcnn.Load(0, int.MaxValue).Target;
        TensorAssert.Equal(torch.tensor(new float[] { 2, 3, 12, 11, 20, 0, 21, 5 }, [2, 4]), plain.Boxes);
        Assert.False(plain.Has(BoxFields.IsCrowd));
    }

    [Fact]
    public void CrowdTargetsKeepTheCrowdRegionFlagged()
    {
        var dataset = new CocoDetectionDataset(CocoFile.Load(coco.AnnotationFile), coco.ImageDir, forTraining: true, crowdTargets: true);
        var first = dataset.Load(0, int.MaxValue).Target;
        TensorAssert.Equal(torch.tensor(new float[] { 2, 3, 12, 11, 20, 0, 21, 5, 0, 0, 40, 30 }, [3, 4]), first.Boxes);
        Assert.Equal(new long[] { 2, 1, 1 }, first.Field(BoxFields.Labels).data<long>().ToArray());
        Assert.Equal([false, false, true], first.Field(BoxFields.IsCrowd).data<bool>().ToArray());
        Assert.Equal(1200L, first.Field<IInstanceMasks>(BoxFields.Masks).ToTensor()[2].sum().item<long>());
        // The flag follows its box through the training transforms and selections.
        var flipped = first.FlipHorizontal().Resize(new ImageSize(60, 80)).Select(torch.tensor(new long[] { 2, 0 }));
        Assert.Equal([true, false], flipped.Field(BoxFields.IsCrowd).data<bool>().ToArray());
        // An image without crowds gets the field all false, so every target has it.
        Assert.Equal([false], dataset.Load(1, int.MaxValue).Target.Field(BoxFields.IsCrowd).data<bool>().ToArray());
    }

    [Fact]
    public void EvaluationKeepsEveryImage()
    {
        var dataset = new CocoDetectionDataset(CocoFile.Load(coco.AnnotationFile), coco.ImageDir, forTraining: false);
        Assert.Equal(4, dataset.Count);
        Assert.Equal(0, dataset.Load(2, int.MaxValue).Target.Count);
    }

    [Fact]
    public void CorruptImageIsNamed()
    {
        var dataset = new CocoDetectionDataset(CocoFile.Load(coco.AnnotationFile), coco.ImageDir, forTraining: true);
        var e = Assert.Throws<ImageDecodeException>(() => dataset.Load(2, int.MaxValue));
        Assert.Contains("broken.png", e.Message);
    }

    [Theory]
    [InlineData("[1, 2]", "not a COCO file: the top level must be an object")]
    [InlineData("{\"images\": []}", "not a COCO file: top level has no 'categories'")]
    [InlineData("{\"images\": [{\"id\": 1, \"file_name\": \"a.png\", \"width\": 4, \"height\": 4}], \"categories\": [{\"id\": 1, \"name\": \"x\"}], \"annotations\": [{\"id\": 5, \"image_id\": 1, \"category_id\": 9, \"bbox\": [0, 0, 1, 1]}]}",
        "annotation 5: unknown category id 9")]
    [InlineData("{\"images\": [{\"id\": 1, \"file_name\": \"a.png\", \"width\": 4, \"height\": 4}], \"categories\": [{\"id\": 1, \"name\": \"x\"}], \"annotations\": [{\"id\": 5, \"image_id\": 2, \"category_id\": 1, \"bbox\": [0, 0, 1, 1]}]}",
        "annotation 5: unknown image id 2")]
    [InlineData("{\"images\": [{\"id\": 1, \"file_name\": \"a.png\", \"width\": 4, \"height\": 4}], \"categories\": [{\"id\": 1, \"name\": \"x\"}], \"annotations\": [{\"id\": 5, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"segmentation\": [[0, 0, 1, 1, 2]]}]}",
        "annotation 5: polygon 0 has 5 coordinates; a polygon needs an even number, at least 6")]
    [InlineData("{\"images\": [{\"id\": 1, \"file_name\": \"a.png\", \"width\": 4, \"height\": 4}], \"categories\": [{\"id\": 1, \"name\": \"x\"}], \"annotations\": [{\"id\": 5, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"segmentation\": {\"counts\": [3, 4], \"size\": [4, 4]}}]}",
        "annotation 5: bad RLE")]
    [InlineData("{\"images\": [{\"id\": 1, \"file_name\": \"a.png\", \"width\": 4, \"height\": 4}], \"categories\": [{\"id\": 1, \"name\": \"x\"}], \"annotations\": [{\"id\": 5, \"image_id\": 1, \"category_id\": 1, \"bbox\": [2, 2, 9, 1]}]}",
        "annotation 5: bbox [2, 2, 9, 1] lies outside image 1 (4x4)")]
    [InlineData("{\"images\": [{\"id\": 1, \"file_name\": \"a.png\", \"width\": 4, \"height\": 4}], \"categories\": [{\"id\": 1, \"name\": \"x\"}], \"annotations\": [{\"id\": 5, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0]}]}",
        "annotation 5: bbox must be 4 numbers")]
    [InlineData("{\"images\": [{\"id\": 1, \"file_name\": \"a.png\", \"width\": 4, \"height\": 4}], \"categories\": [{\"id\": 1, \"name\": \"x\"}], \"annotations\": [{\"id\": 5, \"image_id\": 1, \"category_id\": 1, \"bbox\": [0, 0, 1, 1], \"segmentation\": {\"counts\": \"x\", \"size\": [3, 4]}}]}",
        "annotation 5: RLE size 3x4 differs from image 1 (4x4)")]
    [InlineData("{\"images\": [ {\"id\": 1,, } ]}", "not valid JSON")]
    public void MalformedFilesNameTheFileAndTheEntry(string json, string expected)
    {
        using var dir = new TempDir();
        var path = dir.File("bad.json", json);
        var e = Assert.Throws<DataException>(() => CocoFile.Load(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
