using MaskRcnn.Data.Coco;
using MaskRcnn.Inference;
using MaskRcnn.Modeling;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Keypoints;
using MaskRcnn.Structures.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Inference;

/// <summary>Detections to COCO results as maskrcnn-benchmark's and torchvision's prepare_for_coco_* write them, values derived by hand.</summary>
public class CocoResultConverterTests
{
    static readonly DetectionCategories Categories = new([0, 5, 9], ["__background", "cat", "dog"], "test categories");

    static BoxList Detections(bool withMasks = false)
    {
        var detections = new BoxList(torch.tensor(new float[] { 10, 20, 30.5f, 60.25f, 0, 0, 0.1f, 0.2f }, [2, 4]), new ImageSize(100, 80))
            .With(BoxFields.Labels, torch.tensor(new long[] { 2, 1 }))
            .With(BoxFields.Scores, torch.tensor(new float[] { 0.9f, 0.25f }));
        if (!withMasks) return detections;
        var masks = torch.zeros(2, 100, 80, ScalarType.Bool);
        masks[0, 20..61, 10..31] = torch.tensor(true);
        masks[1, 0, 0] = torch.tensor(true);
        return detections.With(BoxFields.Masks, new BitMasks(masks));
    }

    [Fact]
    public void MaskrcnnBenchmarkWidthsCountBothEndPixelsInFloat32()
    {
        var results = new CocoResultConverter(Categories, BoxConvention.MaskrcnnBenchmark).Convert(42, Detections());
        Assert.Equal(2, results.Count);
        // convert("xywh"): w = x2 - x1 + 1, h = y2 - y1 + 1, in the boxes' float32, then tolist() widens to double.
        Assert.Equal(new CocoBox(10, 20, 21.5, 41.25), results[0].Bbox);
        Assert.Equal(new CocoBox(0, 0, (double)1.1f, (double)1.2f), results[1].Bbox);
        Assert.NotEqual(1.1, results[1].Bbox.Width); // not (double)0.1f + 1 either: the sum is rounded to float32 first
        Assert.NotEqual((double)0.1f + 1, results[1].Bbox.Width);
        Assert.Equal((42L, 9L, (double)0.9f, (Rle?)null), (results[0].ImageId, results[0].CategoryId, results[0].Score, results[0].Segmentation));
        Assert.Equal((42L, 5L, (double)0.25f), (results[1].ImageId, results[1].CategoryId, results[1].Score));
    }

    [Fact]
    public void TorchvisionWidthsAreTheDifference()
    {
        var results = new CocoResultConverter(Categories, BoxConvention.Torchvision).Convert(7, Detections());
        Assert.Equal(new CocoBox(10, 20, 20.5, 40.25), results[0].Bbox);
        Assert.Equal(new CocoBox(0, 0, (double)0.1f, (double)0.2f), results[1].Bbox);
        Assert.Equal(new long[] { 9, 5 }, results.Select(r => r.CategoryId));
    }

    [Fact]
    public void MasksBecomeRunLengthsAndSplitIntoBboxAndSegmEntries()
    {
        var detections = Detections(withMasks: true);
        var results = new CocoResultConverter(Categories, BoxConvention.Torchvision).Convert(3, detections);
        var expected = detections.Field<BitMasks>(BoxFields.Masks).ToRles();
        Assert.Equal(expected[0], results[0].Segmentation);
        Assert.Equal(expected[1], results[1].Segmentation);
        Assert.Equal(21u * 41u, results[0].Segmentation!.Area());

        var bbox = CocoResultConverter.ForBboxFile(results[0]);
        Assert.Null(bbox.Segmentation);
        Assert.Equal(results[0].Bbox, bbox.Bbox);
        // segm.json has no boxes; pycocotools then takes the mask's bounding box.
        var segm = CocoResultConverter.ForSegmFile(results[0]);
        Assert.Equal(new CocoBox(10, 20, 21, 41), segm.Bbox);
        Assert.Equal(results[0].Segmentation, segm.Segmentation);
        Assert.Equal(results[0].Score, segm.Score);
        Assert.Throws<ArgumentException>(() => CocoResultConverter.ForSegmFile(bbox));
    }

    [Fact]
    public void KeypointsFlattenAsKeypointsJsonAndItsBoxIsTheirExtent()
    {
        // Detection i's keypoint j at (10 + i + j / 3, 50 - j / 7), v = 1 as predicted; its score j - 0.1 (float32 values).
        var xy = Enumerable.Range(0, 2).SelectMany(i => Enumerable.Range(0, 17).SelectMany(j => new[] { 10 + i + j / 3f, 50 - j / 7f, 1f })).ToArray();
        var scores = Enumerable.Range(0, 34).Select(n => n % 17 - 0.1f).ToArray();
        var detections = Detections()
            .With(BoxFields.Keypoints, new PersonKeypoints(torch.tensor(xy, [2, 17, 3]), new ImageSize(100, 80)))
            .With(BoxFields.KeypointScores, torch.tensor(scores, [2, 17]));
        var results = new CocoResultConverter(Categories, BoxConvention.MaskrcnnBenchmark).Convert(5, detections);
        // x, y, v per keypoint, the float32 values widened (not the double 10 + 1/3).
        Assert.Equal(xy[..51].Select(v => (double)v), results[0].Keypoints!);
        Assert.Equal(xy[51..].Select(v => (double)v), results[1].Keypoints!);
        Assert.Equal((double)(10 + 1 / 3f), results[0].Keypoints![3]);
        Assert.Equal(scores[17..].Select(v => (double)v), results[1].KeypointScores!);
        Assert.Equal(new CocoBox(10, 20, 21.5, 41.25), results[0].Bbox); // the box as for bbox.json

        // keypoints.json: image, category, keypoints, score; pycocotools gives it the keypoints' extent as box.
        var entry = CocoResultConverter.ForKeypointsFile(results[1]);
        Assert.Equal((5L, 5L, (double)0.25f), (entry.ImageId, entry.CategoryId, entry.Score));
        double x0 = (double)(11 + 0 / 3f), x1 = (double)(11 + 16 / 3f), y0 = (double)(50 - 16 / 7f), y1 = (double)(50 - 0 / 7f);
        Assert.Equal(new CocoBox(x0, y0, x1 - x0, y1 - y0), entry.Bbox);
        Assert.Same(results[1].Keypoints, entry.Keypoints);
        Assert.Null(entry.KeypointScores);
        Assert.Null(entry.Segmentation);
        // bbox.json and segm.json carry no keypoints; a keypoints entry needs them.
        Assert.Null(CocoResultConverter.ForBboxFile(results[0]).Keypoints);
        Assert.Throws<ArgumentException>(() => CocoResultConverter.ForKeypointsFile(CocoResultConverter.ForBboxFile(results[0])));

        // Written without a box, it reads back as pycocotools' loadRes reads it.
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "keypoints.json");
        CocoResultsFile.Write(path, [entry], includeBoxes: false);
        var text = File.ReadAllText(path);
        Assert.DoesNotContain("bbox", text);
        Assert.DoesNotContain("keypoint_scores", text);
        var groundTruth = new CocoFile { Path = "gt.json", Images = [new CocoImage(5, "a.jpg", 80, 100)], Categories = [], Annotations = [] };
        var read = CocoResultsFile.Load(path, groundTruth).Results.Single();
        Assert.Equal(entry with { Keypoints = null }, read with { Keypoints = null });
        Assert.Equal(entry.Keypoints!, read.Keypoints!);
    }

    [Fact]
    public void NoDetectionsNoResultsAndUnknownLabelsNameTheProblem()
    {
        var converter = new CocoResultConverter(Categories, BoxConvention.MaskrcnnBenchmark);
        Assert.Empty(converter.Convert(1, Detections().Select(torch.tensor(Array.Empty<long>()))));
        var bad = Detections().With(BoxFields.Labels, torch.tensor(new long[] { 2, 3 }));
        var e = Assert.Throws<DataException>(() => converter.Convert(1, bad));
        Assert.Equal("detection label 3 has no category: test categories has 2 categories (does MODEL.ROI_BOX_HEAD.NUM_CLASSES match the dataset?)", e.Message);
    }

    [Fact]
    public void GenericCategoriesAreClassNumbers()
    {
        var generic = DetectionCategories.Generic(4);
        Assert.Equal(new long[] { 0, 1, 2, 3 }, generic.CategoryOfLabel);
        Assert.Equal("class 3", generic.NameOf(3));
        Assert.Throws<DataException>(() => generic.NameOf(4));
    }
}
