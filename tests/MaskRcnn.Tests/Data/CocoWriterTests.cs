using System.Text;
using System.Text.Json;
using MaskRcnn.Data.Coco;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;

namespace MaskRcnn.Tests.Data;

/// <summary>What <see cref="CocoWriter"/> writes, the COCO reader reads back as written: every segmentation form,
/// image extras, supercategories, crowd flags, scores, and results with and without boxes.</summary>
public class CocoWriterTests
{
    static readonly CocoImage Image = new(5, "sub/a.png", 4, 3);
    static readonly Rle Square = Rle.FromBbox(new CocoBox(1, 0, 2, 2), 3, 4);

    static string Write(Action<CocoWriter> body)
    {
        using var stream = new MemoryStream();
        using (var coco = new CocoWriter(stream)) body(coco);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void AnInstancesFileReadsBackAsWritten()
    {
        var annotations = new CocoAnnotation[]
        {
            new(1, 5, 7, new CocoBox(0.5, 0, 2.25, 2), 3.5, false, new CocoPolygons([[0.5, 0, 2.75, 0, 2.75, 2], [0, 0, 1, 0, 1, 1]])),
            new(2, 5, 9, new CocoBox(1, 0, 2, 2), 4, false, CocoCompressedRle.Of(Square)),
            new(3, 5, 9, new CocoBox(0, 0, 4, 3), 12, true, new CocoUncompressedRle([0, 12], 3, 4)),
            new(4, 5, 7, new CocoBox(0, 1, 1, 1), 1, false, null),
        };
        var text = Write(coco =>
        {
            coco.StartInstances();
            coco.Info("a test");
            coco.StartImages();
            coco.Image(Image, ("path", "/in/sub/a.png"), ("masks", null));
            coco.EndList();
            coco.StartCategories();
            coco.Category(new CocoCategory(7, "seven", "numbers"));
            coco.Category(new CocoCategory(9, "nine", null));
            coco.EndList();
            coco.StartAnnotations();
            foreach (var a in annotations) coco.Annotation(a, a.Id == 2 ? 0.75 : null);
            coco.EndList();
            coco.EndInstances();
        });

        using var doc = JsonDocument.Parse(text);
        var read = CocoFile.Parse(doc.RootElement, "mem.json");
        Assert.Equal([Image], read.Images);
        Assert.Equal([new CocoCategory(7, "seven", "numbers"), new CocoCategory(9, "nine", null)], read.Categories);
        Assert.Equal(annotations.Length, read.Annotations.Count);
        foreach (var (written, back) in annotations.Zip(read.Annotations))
        {
            Assert.Equal(written with { Segmentation = null }, back with { Segmentation = null });
            Assert.Equal(written.Segmentation?.GetType(), back.Segmentation?.GetType());
            Assert.Equal(written.Segmentation?.ToRle(3, 4), back.Segmentation?.ToRle(3, 4));
        }

        var root = doc.RootElement;
        Assert.Equal("a test", root.GetProperty("info").GetProperty("description").GetString());
        var image = root.GetProperty("images")[0];
        Assert.Equal("/in/sub/a.png", image.GetProperty("path").GetString());
        Assert.False(image.TryGetProperty("masks", out _));
        Assert.False(root.GetProperty("categories")[1].TryGetProperty("supercategory", out _));
        var scored = root.GetProperty("annotations").EnumerateArray().Select(a => a.TryGetProperty("score", out var s) ? s.GetDouble() : (double?)null);
        Assert.Equal([null, 0.75, null, null], scored);
    }

    [Fact]
    public void AResultsListReadsBackAsWritten()
    {
        var results = new CocoResult[]
        {
            new(5, 7, new CocoBox(0.125, 1, 2, 1.5), 0.9),
            new(5, 9, Square.ToBbox(), 1.0 / 3, Square),
        };
        var groundTruth = new CocoFile { Path = "gt.json", Images = [Image], Categories = [], Annotations = [] };
        foreach (var includeBoxes in new[] { true, false })
        {
            var text = Write(coco =>
            {
                coco.StartResults();
                foreach (var r in results) coco.Result(r, includeBoxes);
                coco.EndList();
            });
            using var doc = JsonDocument.Parse(text);
            var read = CocoResultsFile.Parse(doc.RootElement, "results.json", groundTruth);
            Assert.Equal(results, read.Results);
            Assert.Equal(includeBoxes, doc.RootElement[1].TryGetProperty("bbox", out _));
            Assert.True(doc.RootElement[0].TryGetProperty("bbox", out _)); // a result without a mask keeps its box
        }
    }

    [Fact]
    public void KeypointResultsReadBackAsWrittenInJsonAndBinary()
    {
        double[] keypoints = [3.5, 4, 0.25, 1, 9.75, 0.5, 6, 2, 1];
        var result = new CocoResult(5, 1, new CocoBox(1, 2, 5, 7.75), 0.8, null, keypoints);
        var groundTruth = new CocoFile { Path = "gt.json", Images = [Image], Categories = [], Annotations = [] };
        var text = Write(coco =>
        {
            coco.StartResults();
            coco.Result(result);
            coco.EndList();
        });
        using var doc = JsonDocument.Parse(text);
        var read = Assert.Single(CocoResultsFile.Parse(doc.RootElement, "results.json", groundTruth).Results);
        Assert.Equal(keypoints, read.Keypoints);
        Assert.Equal(result.Bbox, read.Bbox);

        using var bytes = new MemoryStream();
        // predict's ranks also send each keypoint's score.
        double[] scores = [0.1 + 1e-12, 1.0 / 3, -2.5];
        using (var w = new BinaryWriter(bytes, System.Text.Encoding.UTF8, leaveOpen: true))
            CocoResultBinary.Write(w, [result, result with { Keypoints = null }, result with { KeypointScores = scores }]);
        bytes.Position = 0;
        var back = CocoResultBinary.Read(new BinaryReader(bytes));
        Assert.Equal(keypoints, back[0].Keypoints);
        Assert.Null(back[0].KeypointScores);
        Assert.Null(back[1].Keypoints);
        Assert.Equal(scores, back[2].KeypointScores);
        Assert.Equal(result.Bbox, back[0].Bbox);
    }

    [Fact]
    public void AKeypointsOnlyResultGetsTheKeypointsExtentAsItsBox()
    {
        var groundTruth = new CocoFile { Path = "gt.json", Images = [Image], Categories = [], Annotations = [] };
        using var doc = JsonDocument.Parse("""[{"image_id": 5, "category_id": 1, "keypoints": [3, 9, 0.1, 7.5, 2, 0.9, 5, 4, 0], "score": 0.5}]""");
        var read = CocoResultsFile.Parse(doc.RootElement, "results.json", groundTruth);
        Assert.Equal(new CocoBox(3, 2, 4.5, 7), Assert.Single(read.Results).Bbox);
        Assert.False(read.AreaFromBox); // pycocotools' loadRes: area from the extent, i.e. this box's w·h
    }
}
