using System.Text.Json;
using MaskRcnn.Data.Coco;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using MaskRcnn.Tests.Evaluation;
using static MaskRcnn.Tests.Cli.CliRun;

namespace MaskRcnn.Tests.Cli;

/// <summary><c>maskrcnn eval --gt --results</c>: pycocotools' table, the per-category table, every number in JSON,
/// and one-line errors with exit code 2 for malformed inputs.</summary>
public class EvalCommandTests
{
    const string Gt = """
        {"images": [{"id": 1, "file_name": "a.png", "width": 64, "height": 48}, {"id": 2, "file_name": "b.png", "width": 64, "height": 48}],
         "categories": [{"id": 3, "name": "square"}, {"id": 5, "name": "disc"}],
         "annotations": [
           {"id": 1, "image_id": 1, "category_id": 3, "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0, "segmentation": [[0, 0, 0, 10, 10, 10, 10, 0]]},
           {"id": 2, "image_id": 2, "category_id": 5, "bbox": [20, 20, 20, 20], "area": 400, "iscrowd": 0, "segmentation": [[20, 20, 20, 40, 40, 40, 40, 20]]}]}
        """;

    [Fact]
    public void ScoresAResultsFileAndWritesEveryNumber()
    {
        using var dir = new TempDir();
        var gt = dir.File("gt.json", Gt);
        // Image 1: the square found at IoU 0.5 (10x5 box). Image 2: nothing for the disc.
        var results = dir.File("results.json", """[{"image_id": 1, "category_id": 3, "bbox": [0, 0, 10, 5], "score": 0.9}]""");
        var json = Path.Combine(dir.Path, "out", "eval.json");
        var (code, output, err) = Run("eval", "--gt", gt, "--results", results, "--iou-type", "bbox", "--output", json);
        Assert.Equal("", err);
        Assert.Equal(0, code);
        Assert.Contains("Evaluate annotation type *bbox*", output);
        Assert.Contains(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.050\n", output);
        Assert.Contains("| square   |  3 | 10.0 | 100.0 |  0.0 | 10.0 |   - |   - |", output);
        Assert.Contains("| disc     |  5 |  0.0 |   0.0 |  0.0 |  0.0 |   - |   - |", output);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var bbox = doc.RootElement.GetProperty("bbox");
        // Square: 1 of 10 thresholds at precision 1/(1+ε); disc: 0 → mean over the two categories.
        Assert.Equal(1 / (1 + 2.220446049250313e-16) / 20, bbox.GetProperty("stats").GetProperty("AP").GetDouble(), 15);
        Assert.Equal(-1, bbox.GetProperty("stats").GetProperty("APl").GetDouble());
        Assert.Equal("disc", bbox.GetProperty("per_category")[1].GetProperty("name").GetString());
        Assert.Equal(10, bbox.GetProperty("ap_per_iou").GetArrayLength());
        Assert.False(doc.RootElement.TryGetProperty("segm", out _));
    }

    [Fact]
    public void ResultsOfUnknownCategoriesAreLeftOutWithANote()
    {
        using var dir = new TempDir();
        var gt = dir.File("gt.json", Gt);
        var results = dir.File("results.json", """
            [{"image_id": 1, "category_id": 3, "bbox": [0, 0, 10, 5], "score": 0.9},
             {"image_id": 1, "category_id": 77, "bbox": [0, 0, 10, 10], "score": 0.95},
             {"image_id": 2, "category_id": 77, "bbox": [20, 20, 20, 20], "score": 0.95}]
            """);
        var (code, output, _) = Run("eval", "--gt", gt, "--results", results, "--iou-type", "bbox", "--output", Path.Combine(dir.Path, "e.json"));
        Assert.Equal(0, code);
        Assert.Contains("note: 2 results of " + results + " have category ids the ground truth does not have (77)", output);
        Assert.Contains("IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.050\n", output); // as without them
    }

    [Fact]
    public void BothIouTypesFromOneFileWithMasks()
    {
        using var dir = new TempDir();
        var gt = dir.File("gt.json", Gt);
        var square = Rle.FromPolygon([0, 0, 0, 10, 10, 10, 10, 0], 48, 64);
        var path = Path.Combine(dir.Path, "results.json");
        CocoResultsFile.Write(path, [new CocoResult(1, 3, square.ToBbox(), 0.8, square)]);
        var (code, output, err) = Run("eval", "--gt", gt, "--results", path, "--output", Path.Combine(dir.Path, "e.json"));
        Assert.Equal(0, code);
        Assert.Contains("*bbox*", output);
        Assert.Contains("*segm*", output);
        // The mask equals the GT's rasterized polygon: segm AP50 is 1 for the square, 0 for the disc → 0.5.
        Assert.Contains(" Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 0.500\n", output.Split("*segm*")[1]);
    }

    [Theory]
    [InlineData("not json", "results.json: not valid JSON")]
    [InlineData("{\"image_id\": 1}", "results.json: not a COCO results file")]
    [InlineData("[{\"image_id\": 9, \"category_id\": 3, \"bbox\": [0, 0, 1, 1], \"score\": 1}]", "results.json: result 0: image id 9 is not in the ground truth")]
    [InlineData("[{\"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 0, 1, 1], \"score\": 1}, {\"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 0, 1], \"score\": 1}]", "results.json: result 1: 'bbox' must be 4 finite numbers")]
    [InlineData("[{\"image_id\": \"1\", \"category_id\": 3, \"bbox\": [0, 0, 1, 1], \"score\": 1}]", "results.json: result 0: 'image_id' must be an integer")]
    [InlineData("[{\"image_id\": 1, \"category_id\": 3, \"bbox\": [0, 0, 1, 1], \"score\": null}]", "results.json: result 0: 'score' must be a number")]
    [InlineData("[{\"image_id\": 1, \"category_id\": 3, \"score\": 0.5, \"segmentation\": {\"size\": [48, 64], \"counts\": [5, 3]}}]", "results.json: result 0: bad segmentation: uncompressed RLE counts sum to 8, not 48x64")]
    [InlineData("[{\"image_id\": 1, \"category_id\": 3, \"score\": 0.5, \"segmentation\": {\"size\": [40, 64], \"counts\": \"PP0\"}}]", "results.json: result 0: RLE size 40x64 differs from image 1")]
    public void MalformedResultsAreOneLineNamingTheEntryWithExitCode2(string content, string expected)
    {
        using var dir = new TempDir();
        var gt = dir.File("gt.json", Gt);
        var results = dir.File("results.json", content);
        var (code, output, err) = Run("eval", "--gt", gt, "--results", results, "--iou-type", "bbox", "--output", Path.Combine(dir.Path, "e.json"));
        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains(expected, err);
        Assert.False(File.Exists(Path.Combine(dir.Path, "e.json")));
    }

    [Fact]
    public void MalformedGroundTruthIsOneLineWithExitCode2()
    {
        using var dir = new TempDir();
        var gt = dir.File("gt.json", Gt.Replace("\"category_id\": 5", "\"category_id\": 6"));
        var results = dir.File("results.json", "[]");
        var (code, _, err) = Run("eval", "--gt", gt, "--results", results, "--output", Path.Combine(dir.Path, "e.json"));
        Assert.Equal(2, code);
        Assert.Contains("gt.json: annotation 2: unknown category id 6", err);
    }

    [Fact]
    public void SegmOnBoxOnlyResultsIsAClearError()
    {
        using var dir = new TempDir();
        var gt = dir.File("gt.json", Gt);
        var results = dir.File("results.json", """[{"image_id": 1, "category_id": 3, "bbox": [0, 0, 10, 5], "score": 0.9}]""");
        var (code, _, err) = Run("eval", "--gt", gt, "--results", results, "--iou-type", "segm", "--output", Path.Combine(dir.Path, "e.json"));
        Assert.Equal(2, code);
        Assert.Contains("no result has a 'segmentation'", err);
    }

    [Theory]
    [InlineData(new[] { "--shard", "0/2" }, "--shard must be K/N with 1 <= K <= N")]
    [InlineData(new[] { "--shard", "3/2" }, "--shard must be K/N with 1 <= K <= N")]
    [InlineData(new[] { "--shard", "1/2", "--merge-shards", "2" }, "do not give --shard with it")]
    [InlineData(new string[0], "no weights to run: OUTPUT_DIR")]
    [InlineData(new[] { "--weights", "missing.safetensors" }, "weights file not found: missing.safetensors")]
    [InlineData(new[] { "-w", "missing.safetensors" }, "weights file not found: missing.safetensors")]
    public void ModelModeMistakesAreOneLineWithExitCode2(string[] options, string expected)
    {
        using var run = new TempDir();
        var (code, _, err) = Run(["eval", "--config", Path.Combine(TestPaths.RepoRoot, "configs", "shapes", "mask_rcnn_R_18_FPN_gn.yaml"),
            .. options, "OUTPUT_DIR", run.Path]);
        Assert.Equal(2, code);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public void ModeOptionsMustComeInTheirPairs()
    {
        Assert.Contains("--gt needs --results", Run("eval", "--gt", "gt.json").Err);
        Assert.Contains("--results needs --gt", Run("eval", "--results", "r.json").Err);
        Assert.Contains("give --config X.yaml to evaluate a model", Run("eval").Err);
    }

    [Fact]
    public void ResultsRoundTripThroughTheFile()
    {
        using var dir = new TempDir();
        var gtFile = CocoFile.Load(dir.File("gt.json", Gt));
        var mask = Rle.FromPolygon([20, 20, 20, 40, 40, 40, 40, 20], 48, 64);
        CocoResult[] written = [new(2, 5, new CocoBox(20.5, 20.25, 19.75, 19.5), 0.123456789, mask), new(1, 3, new CocoBox(0, 0, 1e-3, 3), 1, null)];
        var path = Path.Combine(dir.Path, "r.json");
        CocoResultsFile.Write(path, written);
        var read = CocoResultsFile.Load(path, gtFile);
        Assert.Equal(written, read.Results);
        Assert.True(read.AreaFromBox);
        // Without boxes (maskrcnn-benchmark's segm.json), the box comes back from the mask and areas from masks.
        CocoResultsFile.Write(path, written[..1], includeBoxes: false);
        var masksOnly = CocoResultsFile.Load(path, gtFile);
        Assert.False(masksOnly.AreaFromBox);
        Assert.Equal(mask.ToBbox(), masksOnly.Results[0].Bbox);
    }
}
