using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text.Json;
using MaskRcnn.Data.Coco;
using MaskRcnn.Evaluation;

namespace MaskRcnn.Tests.Evaluation;

/// <summary>
/// Our evaluator against pycocotools' COCOeval on the cases of <c>scripts/make_cocoeval_fixtures.py</c> (crowds,
/// area ranges set apart from boxes, score ties, IoUs exactly at thresholds, maxDets truncation, categories without
/// GT or detections, polygon/RLE/crowd masks, loadRes's area rules, a GT with id 0; for keypoints OKS with labelled
/// and unlabelled keypoints, GT ignored for num_keypoints 0, maxDets 20): the stats (12, or 10 for keypoints), the
/// full precision, recall and scores arrays, and the printed summary.
/// </summary>
public class PycocotoolsParityTests
{
    public static TheoryData<string, string> Cases() => new()
    {
        { "bbox_mixed", "bbox" },
        { "bbox_gt_id_zero", "bbox" },
        { "segm_mixed", "segm" },
        { "segm_mixed", "bbox" },
        { "segm_area_from_box", "segm" },
        { "segm_area_from_box", "bbox" },
        { "keypoints_mixed", "keypoints" },
        { "keypoints_area_from_box", "keypoints" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPycocotools(string name, string iouType)
    {
        var dir = TestPaths.Fixture(Path.Combine("cocoeval", name));
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, $"expected_{iouType}.json")));
        var root = expected.RootElement;
        var gt = CocoFile.Load(Path.Combine(dir, "gt.json"));
        var results = CocoResultsFile.Load(Path.Combine(dir, "results.json"), gt);
        var type = Assert.Single(IouTypes.Parse(iouType));
        var e = CocoEvaluator.Evaluate(gt, results, type);

        Assert.Equal(Doubles(root.GetProperty("iouThrs")), e.Params.IouThresholds);
        Assert.Equal(Doubles(root.GetProperty("recThrs")), e.Params.RecallThresholds);
        Assert.Equal(root.GetProperty("catIds").EnumerateArray().Select(x => x.GetInt64()), e.CategoryIds);
        Assert.Equal(root.GetProperty("imgIds").EnumerateArray().Select(x => x.GetInt64()), e.ImageIds);
        Assert.Equal(root.GetProperty("maxDets").EnumerateArray().Select(x => x.GetInt32()), e.Params.MaxDets);
        Assert.Equal(root.GetProperty("areaRngLbl").EnumerateArray().Select(x => x.GetString()), e.Params.AreaRanges.Select(a => a.Label));
        Assert.Equal(root.GetProperty("areaRng").EnumerateArray().Select(x => (x[0].GetDouble(), x[1].GetDouble())), e.Params.AreaRanges.Select(a => (a.Min, a.Max)));
        AssertClose("stats", Doubles(root.GetProperty("stats")), e.Stats.ToArray());
        AssertClose("precision", Array(dir, root, "precision"), e.Precision);
        AssertClose("recall", Array(dir, root, "recall"), e.Recall);
        AssertClose("scores", Array(dir, root, "scores"), e.Scores);
        Assert.Equal(File.ReadAllText(Path.Combine(dir, $"summary_{iouType}.txt")).ReplaceLineEndings("\n"), CocoSummary.Format(e));
    }

    static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(x => x.GetDouble()).ToArray();

    static double[] Array(string dir, JsonElement root, string name)
    {
        using var file = File.OpenRead(Path.Combine(dir, root.GetProperty(name).GetProperty("file").GetString()!));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        gzip.CopyTo(bytes);
        return MemoryMarshal.Cast<byte, double>(bytes.ToArray()).ToArray();
    }

    static void AssertClose(string what, double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        int wrong = 0, first = -1;
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= 1e-12))
            {
                wrong++;
                if (first < 0) first = i;
            }
        Assert.True(wrong == 0, $"{what}: {wrong} of {expected.Length} differ; first at flat index {first}: expected {(first >= 0 ? expected[first] : 0):R}, got {(first >= 0 ? actual[first] : 0):R}");
    }
}
