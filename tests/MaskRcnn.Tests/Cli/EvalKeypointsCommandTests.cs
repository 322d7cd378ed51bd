using System.Text.Json;
using static MaskRcnn.Tests.Cli.CliRun;

namespace MaskRcnn.Tests.Cli;

/// <summary><c>maskrcnn eval --iou-type keypoints</c>: pycocotools' keypoint table (maxDets 20, no small range), a
/// per-category table without APs, the 10 stats in JSON, and one-line errors for inputs it cannot score.</summary>
public class EvalKeypointsCommandTests
{
    // Person 1 (area 2000, medium) has all 17 keypoints labelled; person 2 has none (num_keypoints 0), so it is ignored.
    static readonly string Gt = $$"""
        {"images": [{"id": 1, "file_name": "a.png", "width": 200, "height": 200}],
         "categories": [{"id": 1, "name": "person"}],
         "annotations": [
           {"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 40, 50], "area": 2000, "iscrowd": 0, "num_keypoints": 17, "keypoints": [{{Labelled}}]},
           {"id": 2, "image_id": 1, "category_id": 1, "bbox": [120, 120, 30, 30], "area": 900, "iscrowd": 0, "num_keypoints": 0, "keypoints": [{{string.Join(", ", Enumerable.Repeat(0, 51))}}]}]}
        """;

    static string Labelled => Keypoints("2");

    /// <summary>Person 1's keypoints, with <paramref name="third"/> as each one's visibility (or score).</summary>
    static string Keypoints(string third) => string.Join(", ", Enumerable.Range(0, 17).Select(i => $"{10 + 2 * i}, {12 + 3 * i}, {third}"));

    [Fact]
    public void ScoresKeypointsAsPycocotools()
    {
        using var dir = new TempDir();
        var gt = dir.File("gt.json", Gt);
        // The exact keypoints of person 1 (OKS 1), then a detection far from everything (a false positive after it).
        var far = string.Join(", ", Enumerable.Range(0, 17).Select(i => $"{190 - i}, 5, 0.3"));
        var results = dir.File("results.json", $$"""
            [{"image_id": 1, "category_id": 1, "keypoints": [{{Keypoints("0.9")}}], "score": 0.9},
             {"image_id": 1, "category_id": 1, "keypoints": [{{far}}], "score": 0.8}]
            """);
        var json = Path.Combine(dir.Path, "coco_eval.json");
        var (code, output, err) = Run("eval", "--gt", gt, "--results", results, "--iou-type", "keypoints", "--output", json);
        Assert.Equal("", err);
        Assert.Equal(0, code);
        Assert.Contains("Evaluate annotation type *keypoints*", output);
        Assert.Contains(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets= 20 ] = 1.000\n", output);
        Assert.Contains(" Average Precision  (AP) @[ IoU=0.50:0.95 | area= large | maxDets= 20 ] = -1.000\n", output);
        // Recall 1: the person without keypoints is not counted.
        Assert.Contains(" Average Recall     (AR) @[ IoU=0.50      | area=   all | maxDets= 20 ] = 1.000\n", output);
        Assert.DoesNotContain("small", output);
        Assert.Contains("| category | id |    AP |  AP50 |  AP75 |   APm | APl |", output);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var stats = doc.RootElement.GetProperty("keypoints").GetProperty("stats");
        Assert.Equal(["AP", "AP50", "AP75", "APm", "APl", "AR", "AR50", "AR75", "ARm", "ARl"], stats.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1 / (1 + 2.220446049250313e-16), stats.GetProperty("AP").GetDouble(), 15);
        Assert.Equal(1, stats.GetProperty("AR").GetDouble());
        Assert.Equal(-1, stats.GetProperty("ARl").GetDouble());
    }

    [Theory]
    [InlineData("\"num_keypoints\": 0, ", "", "gt.json: annotation 2 has no 'num_keypoints'")]
    [InlineData("\"keypoints\": [0, 0, 0, 0", "\"keypoints\": [0", "gt.json: annotation 2 has 16 keypoints; keypoints evaluation needs 17")]
    [InlineData("\"keypoints\": [0, 0, 0, 0", "\"keypoints\": [0, 0", "gt.json: annotation 2: 'keypoints' must be x, y, v triples, got 49 numbers")]
    public void GroundTruthWithoutKeypointsIsAOneLineError(string replace, string with, string expected)
    {
        using var dir = new TempDir();
        var gt = dir.File("gt.json", Gt.Replace(replace, with));
        var results = dir.File("results.json", $$"""[{"image_id": 1, "category_id": 1, "keypoints": [{{Labelled}}], "score": 0.9}]""");
        var (code, _, err) = Run("eval", "--gt", gt, "--results", results, "--iou-type", "keypoints", "--output", Path.Combine(dir.Path, "e.json"));
        Assert.Equal(2, code);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Theory]
    [InlineData("""[{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 5], "score": 0.9}]""", "no result has 'keypoints'")]
    [InlineData("""[{"image_id": 1, "category_id": 1, "keypoints": [1, 2, 1, 4], "score": 0.9}]""", "result 0: 'keypoints' must be x, y, score triples")]
    [InlineData("""[{"image_id": 1, "category_id": 1, "keypoints": [1, 2, 1], "score": 0.9}]""", "result 0 has 1 keypoints; keypoints evaluation needs 17")]
    public void ResultsWithoutKeypointsAreAOneLineError(string results, string expected)
    {
        using var dir = new TempDir();
        var gt = dir.File("gt.json", Gt);
        var file = dir.File("results.json", results);
        var (code, _, err) = Run("eval", "--gt", gt, "--results", file, "--iou-type", "keypoints", "--output", Path.Combine(dir.Path, "e.json"));
        Assert.Equal(2, code);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public void BoxesAndKeypointsInOneRun()
    {
        using var dir = new TempDir();
        var gt = dir.File("gt.json", Gt);
        var results = dir.File("results.json", $$"""[{"image_id": 1, "category_id": 1, "bbox": [10, 10, 40, 50], "keypoints": [{{Labelled}}], "score": 0.9}]""");
        var json = Path.Combine(dir.Path, "coco_eval.json");
        var (code, output, err) = Run("eval", "--gt", gt, "--results", results, "--iou-type", "bbox,keypoints", "--output", json);
        Assert.Equal("", err);
        Assert.Equal(0, code);
        Assert.Contains("Evaluate annotation type *bbox*", output);
        Assert.Contains("Evaluate annotation type *keypoints*", output);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(12, doc.RootElement.GetProperty("bbox").GetProperty("stats").EnumerateObject().Count());
        Assert.Equal(10, doc.RootElement.GetProperty("keypoints").GetProperty("stats").EnumerateObject().Count());
    }
}
