using MaskRcnn.Cli;
using MaskRcnn.Data.Coco;

namespace MaskRcnn.Tests.Data;

/// <summary>Issue 13: every field of an annotation file is checked for its kind and range when the file is read, and a
/// problem is one line naming the file, the entry and the field, for datasets and for <c>eval --gt</c> alike.</summary>
public class CocoFieldValidationTests
{
    /// <summary>One 40x30 image, one category, and annotation 5 with <paramref name="fields"/> beside its ids.</summary>
    static string WithAnnotation(string fields) =>
        "{\"images\": [{\"id\": 1, \"file_name\": \"a.png\", \"width\": 40, \"height\": 30}], \"categories\": [{\"id\": 1, \"name\": \"x\"}], " +
        $"\"annotations\": [{{\"id\": 5, \"image_id\": 1, \"category_id\": 1, {fields}}}]}}";

    const string Box = "\"bbox\": [2, 3, 10, 8]";
    const string Square = "\"segmentation\": [[2, 3, 12, 3, 12, 11, 2, 11]]";

    [Theory]
    [InlineData($"{Box}, \"iscrowd\": 0.5", "annotation 5: 'iscrowd' must be 0 or 1, got 0.5")]
    [InlineData($"{Box}, \"iscrowd\": \"1\"", "annotation 5: 'iscrowd' must be 0 or 1, got \"1\"")]
    [InlineData($"{Box}, \"iscrowd\": 2", "annotation 5: 'iscrowd' must be 0 or 1, got 2")]
    [InlineData($"{Box}, \"area\": -3", "annotation 5: 'area' must be a finite number >= 0, got -3")]
    [InlineData($"{Box}, \"area\": \"80\"", "annotation 5: 'area' must be a finite number >= 0, got \"80\"")]
    [InlineData($"{Box}, \"area\": 1e400", "annotation 5: 'area' must be a finite number >= 0, got 1e400")]
    [InlineData("\"bbox\": [2, 3, 1e400, 8]", "annotation 5: 'bbox' must be a list of finite numbers, got [2, 3, 1e400, 8]")]
    [InlineData("\"bbox\": [2, 3, \"10\", 8]", "annotation 5: 'bbox' must be a list of finite numbers, got [2, 3, \"10\", 8]")]
    [InlineData("\"bbox\": [2, 3, -1, 8]", "annotation 5: bbox has negative size -1x8")]
    [InlineData("\"segmentation\": []", "annotation 5: 'bbox' must be a list of finite numbers (missing)")]
    [InlineData($"{Box}, \"segmentation\": [[2, 3, 2e8, 3, 12, 11]]",
        "annotation 5: segmentation polygon 0: x = 2e8 lies far outside image 1 (40x30); polygon x must be within [-40, 80]")]
    [InlineData($"{Box}, \"segmentation\": [[2, 3, 12, 3, 12, 11], [2, 3, 12, -31, 12, 11]]",
        "annotation 5: segmentation polygon 1: y = -31 lies far outside image 1 (40x30); polygon y must be within [-30, 60]")]
    [InlineData($"{Box}, \"segmentation\": [[2, 3, 12, 3, 12, 1e400]]", "annotation 5: segmentation polygon 0 must be a list of finite numbers, got 1e400")]
    [InlineData($"{Box}, \"segmentation\": [[2, 3, 12, 3, 12, null]]", "annotation 5: segmentation polygon 0 must be a list of finite numbers, got null")]
    [InlineData($"{Box}, \"segmentation\": [2, 3, 12, 3, 12, 11]", "annotation 5: segmentation polygon 0 must be a list of numbers, got 2")]
    [InlineData($"{Box}, \"segmentation\": [[2, 3, 12, 3]]", "annotation 5: polygon 0 has 4 coordinates; a polygon needs an even number, at least 6")]
    [InlineData($"{Box}, \"segmentation\": \"x\"", "annotation 5: segmentation must be a list of polygons or an RLE object")]
    [InlineData($"{Box}, \"segmentation\": {{\"size\": [30.5, 40], \"counts\": [1200]}}", "annotation 5: RLE size must be [height, width] as integers")]
    [InlineData($"{Box}, \"segmentation\": {{\"size\": [30, 40], \"counts\": [-1, 1201]}}", "annotation 5: RLE counts must be non-negative integers, got -1")]
    [InlineData($"{Box}, \"segmentation\": {{\"size\": [30, 40], \"counts\": [600, 0.5, 599.5]}}", "annotation 5: RLE counts must be non-negative integers, got 0.5")]
    [InlineData($"{Box}, \"segmentation\": {{\"size\": [30, 40], \"counts\": [600, 5]}}", "annotation 5: bad RLE: uncompressed RLE counts sum to 605, not 30x40 = 1200")]
    public void AnnotationFieldsOfTheWrongKindOrRangeNameFileAnnotationAndField(string fields, string expected)
    {
        using var dir = new TempDir();
        var path = dir.File("bad.json", WithAnnotation(fields));
        var e = Assert.Throws<DataException>(() => CocoFile.Load(path));
        Assert.Equal($"{path}: {expected}", e.Message);
    }

    [Theory]
    [InlineData("{\"images\": [{\"id\": \"1\", \"file_name\": \"a.png\", \"width\": 4, \"height\": 4}], \"categories\": [], \"annotations\": []}",
        "images[0]: 'id' must be an integer, got \"1\"")]
    [InlineData("{\"images\": [{\"id\": 1, \"file_name\": \"a.png\", \"width\": 4.5, \"height\": 4}], \"categories\": [], \"annotations\": []}",
        "image 1: 'width' must be an integer, got 4.5")]
    [InlineData("{\"images\": [{\"id\": 1, \"file_name\": \"a.png\", \"width\": 4, \"height\": 0}], \"categories\": [], \"annotations\": []}",
        "image 1: size 4x0 is not positive")]
    [InlineData("{\"images\": [{\"id\": 1, \"file_name\": 7, \"width\": 4, \"height\": 4}], \"categories\": [], \"annotations\": []}",
        "image 1: 'file_name' must be a string, got 7")]
    [InlineData("{\"images\": [], \"categories\": [{\"id\": 1.5, \"name\": \"x\"}], \"annotations\": []}",
        "categories[0]: 'id' must be an integer, got 1.5")]
    [InlineData("{\"images\": [], \"categories\": [{\"id\": 1}], \"annotations\": []}",
        "category 1: 'name' must be a string (missing)")]
    [InlineData("{\"images\": [{\"id\": 1, \"file_name\": \"a.png\", \"width\": 4, \"height\": 4}], \"categories\": [{\"id\": 1, \"name\": \"x\"}], \"annotations\": [3]}",
        "annotations[0] must be an object, got 3")]
    [InlineData("{\"images\": [{\"id\": 1, \"file_name\": \"a.png\", \"width\": 4, \"height\": 4}], \"categories\": [{\"id\": 1, \"name\": \"x\"}], \"annotations\": [{\"id\": 9, \"image_id\": 1, \"category_id\": \"1\", \"bbox\": [0, 0, 1, 1]}]}",
        "annotation 9: 'category_id' must be an integer, got \"1\"")]
    [InlineData("{\"images\": [{\"id\": 1, \"file_name\": \"a.png\", \"width\": 4, \"height\": 4}], \"categories\": [{\"id\": 1, \"name\": \"x\"}], \"annotations\": [{\"id\": 9, \"category_id\": 1, \"bbox\": [0, 0, 1, 1]}]}",
        "annotation 9: 'image_id' must be an integer (missing)")]
    public void ImageCategoryAndIdFieldsAreChecked(string json, string expected)
    {
        using var dir = new TempDir();
        var path = dir.File("bad.json", json);
        Assert.Equal($"{path}: {expected}", Assert.Throws<DataException>(() => CocoFile.Load(path)).Message);
    }

    [Fact]
    public void AcceptedFormsLoadAsPycocotoolsReadsThem()
    {
        using var dir = new TempDir();
        // iscrowd as JSON booleans or absent, area absent (the box's) or null, vertices up to one image size outside.
        var path = dir.File("ok.json", WithAnnotation($"{Box}, \"iscrowd\": true, \"area\": null, \"segmentation\": [[-40, -30, 80, -30, 80, 60, -40, 60]]")
            .Replace("}]}", "}, {\"id\": 6, \"image_id\": 1, \"category_id\": 1, \"bbox\": [2, 3, 10, 8], \"iscrowd\": false, \"segmentation\": [[2, 3, 12, 3, 12, 11, 2, 11]]}]}"));
        var file = CocoFile.Load(path);
        var (crowd, plain) = (file.Annotations[0], file.Annotations[1]);
        Assert.True(crowd.IsCrowd);
        Assert.False(plain.IsCrowd);
        Assert.Equal(80, crowd.Area);
        // The rectangle's corners lie outside the image; its rasterization is clipped to the image, as pycocotools'.
        Assert.Equal(40u * 30u, crowd.Segmentation!.ToRle(30, 40).Area());
    }

    [Fact]
    public void StandaloneEvalRefusesTheSameFieldsOneLineExitCode2()
    {
        using var dir = new TempDir();
        var gt = dir.File("gt.json", WithAnnotation($"{Box}, \"iscrowd\": 0.5, {Square}"));
        var results = dir.File("results.json", "[]");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = MaskRcnnCommandLine.Run(["eval", "--gt", gt, "--results", results, "--output", Path.Combine(dir.Path, "e.json")], stdout, stderr);
        Assert.Equal((2, $"maskrcnn: error: {gt}: annotation 5: 'iscrowd' must be 0 or 1, got 0.5\n"), (code, stderr.ToString()));
        Assert.False(File.Exists(Path.Combine(dir.Path, "e.json")));
    }

    [Fact]
    public void ResultPolygonsAreBoundedLikeAnnotationPolygons()
    {
        using var dir = new TempDir();
        var gt = dir.File("gt.json", WithAnnotation($"{Box}, {Square}"));
        var results = dir.File("results.json", "[{\"image_id\": 1, \"category_id\": 1, \"score\": 0.9, \"segmentation\": [[2, 3, 2e8, 3, 12, 11]]}]");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = MaskRcnnCommandLine.Run(["eval", "--gt", gt, "--results", results, "--output", Path.Combine(dir.Path, "e.json")], stdout, stderr);
        Assert.Equal((2, $"maskrcnn: error: {results}: result 0: segmentation polygon 0: x = 2e8 lies far outside image 1 (40x30); polygon x must be within [-40, 80]\n"),
            (code, stderr.ToString()));
    }
}
