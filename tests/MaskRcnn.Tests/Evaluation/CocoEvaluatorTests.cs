using MaskRcnn.Data.Coco;
using MaskRcnn.Evaluation;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;

namespace MaskRcnn.Tests.Evaluation;

/// <summary>
/// Small evaluations whose numbers follow by hand from pycocotools' definition. Notation: a true positive alone has
/// precision 1/(1 + ε) with ε = 2⁻⁵² (numpy's spacing(1), added to tp + fp), written <see cref="P1"/>.
/// Stats order: AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl.
/// </summary>
public class CocoEvaluatorTests
{
    const double P1 = 1 / (1 + 2.220446049250313e-16);

    static void AssertStats(double[] expected, CocoEvaluation e)
    {
        Assert.Equal(12, e.Stats.Count);
        for (int i = 0; i < 12; i++)
            Assert.True(Math.Abs(expected[i] - e.Stats[i]) < 1e-12, $"{CocoSummary.Definitions[i].Name}: expected {expected[i]:R}, got {e.Stats[i]:R}");
    }

    [Fact]
    public void OneDetectionAtIouOneHalfMatchesOnlyTheFirstThreshold()
    {
        // GT 10x10 (area 100: small); detection 10x5 inside it: IoU = 50 / 100 = 0.5, which passes IoU >= 0.5 only.
        var e = new CocoEvalBuilder().Image(1).Category(1).Gt(1, 1, 0, 0, 10, 10).Dt(1, 1, 0.9, 0, 0, 10, 5).Evaluate();
        // AP: 1 threshold of 10 has precision P1 at all 101 recall thresholds, the other 9 have 0.
        // Medium/large: no ground truth in range, so -1. Recall: 1 at t=.5, 0 elsewhere → 0.1.
        AssertStats([P1 / 10, P1, 0, P1 / 10, -1, -1, 0.1, 0.1, 0.1, 0.1, -1, -1], e);
        Assert.Equal(P1, e.PrecisionAt(0, 100, 0, 0, 2));
        Assert.Equal(0, e.PrecisionAt(1, 0, 0, 0, 2));
        Assert.Equal(1, e.RecallAt(0, 0, 0, 0));
        Assert.Equal(0, e.RecallAt(1, 0, 0, 0));
    }

    [Fact]
    public void IouOfThreeQuartersPassesSixThresholds()
    {
        // Detection 10x7.5 in a 10x10 GT: IoU 0.75 passes .50, .55, .60, .65, .70, .75.
        var e = new CocoEvalBuilder().Image(1).Category(1).Gt(1, 1, 0, 0, 10, 10).Dt(1, 1, 0.9, 0, 0, 10, 7.5).Evaluate();
        Assert.Equal(6 * P1 / 10, e.Stats[0], 12);
        Assert.Equal(P1, e.Stats[2], 15);
        Assert.Equal(0.6, e.Stats[8], 12);
    }

    [Fact]
    public void DetectionsInsideACrowdRegionAreIgnoredNotFalsePositives()
    {
        // Two high-scoring detections inside a crowd box (IoU against a crowd = intersection / detection area = 1):
        // both match the crowd region and are ignored; the third detection is a true positive.
        var crowd = new CocoEvalBuilder().Image(1).Category(1)
            .Gt(1, 1, 0, 0, 100, 100, crowd: true).Gt(1, 1, 150, 150, 20, 20)
            .Dt(1, 1, 0.9, 10, 10, 20, 20).Dt(1, 1, 0.8, 40, 40, 20, 20).Dt(1, 1, 0.7, 150, 150, 20, 20).Evaluate();
        Assert.Equal(P1, crowd.Stats[0], 15);
        // The same boxes without the crowd flag: the two are false positives ranked first (IoU 400/10000 = 0.04),
        // so the true positive comes at precision 1/3, and the big GT (large) is never found.
        var plain = new CocoEvalBuilder().Image(1).Category(1)
            .Gt(1, 1, 0, 0, 100, 100).Gt(1, 1, 150, 150, 20, 20)
            .Dt(1, 1, 0.9, 10, 10, 20, 20).Dt(1, 1, 0.8, 40, 40, 20, 20).Dt(1, 1, 0.7, 150, 150, 20, 20).Evaluate();
        // Recall reaches 0.5 at precision 1/3: recall thresholds 0..0.50 (51 of 101) read 1/3, the rest 0.
        Assert.Equal(51.0 / 101 / 3, plain.Stats[0], 12);
        Assert.Equal(0.5, plain.Stats[8], 12);
        Assert.Equal(0, plain.Stats[5]); // APl: the large GT is missed
    }

    [Fact]
    public void ACrowdRegionCanMatchManyDetectionsButARegularGroundTruthOnlyOne()
    {
        // Two identical detections on one regular GT: the second is a false positive (precision 1/2 at recall 1).
        var e = new CocoEvalBuilder().Image(1).Category(1).Gt(1, 1, 0, 0, 50, 50)
            .Dt(1, 1, 0.9, 0, 0, 50, 50).Dt(1, 1, 0.8, 0, 0, 50, 50).Evaluate();
        // The envelope takes the best precision at or after each recall: the first detection's P1 everywhere.
        Assert.Equal(P1, e.Stats[0], 15);
        // Reversed scores cannot change that (both detections are the same box); AR100 = 1.
        Assert.Equal(1, e.Stats[8]);
    }

    [Fact]
    public void MaxDetsKeepsOnlyTheBestScoredDetectionsOfEachImage()
    {
        // A false positive scored above the true positive: with 1 detection per image the GT is never found.
        var e = new CocoEvalBuilder().Image(1).Category(1).Gt(1, 1, 0, 0, 50, 50)
            .Dt(1, 1, 0.9, 100, 100, 50, 50).Dt(1, 1, 0.8, 0, 0, 50, 50).Evaluate();
        Assert.Equal(0, e.Stats[6]);  // AR1
        Assert.Equal(1, e.Stats[7]);  // AR10
        Assert.Equal(1, e.Stats[8]);  // AR100
        // AP (100 detections): FP then TP gives precision [0, 1/2] → envelope [1/2, 1/2]; 2 + ε rounds to 2.
        Assert.Equal(0.5, e.Stats[0]);
        Assert.Equal(0, e.PrecisionAt(0, 0, 0, 0, 0)); // maxDets 1: only the false positive
    }

    [Fact]
    public void CategoriesWithoutGroundTruthAreLeftOutAndWithoutDetectionsCountZero()
    {
        // Category 1: found perfectly. Category 2: detections but no GT (−1, left out of the mean).
        // Category 3: GT but no detections (0). Category 9 is not in the ground truth at all: its detections are dropped.
        var e = new CocoEvalBuilder().Image(1).Category(1).Category(2).Category(3)
            .Gt(1, 1, 0, 0, 50, 50).Gt(1, 3, 100, 100, 50, 50)
            .Dt(1, 1, 0.9, 0, 0, 50, 50).Dt(1, 2, 0.95, 100, 100, 50, 50).Dt(1, 9, 0.99, 100, 100, 50, 50).Evaluate();
        Assert.Equal([1L, 2L, 3L], e.CategoryIds);
        Assert.Equal(P1 / 2, e.Stats[0], 15);
        Assert.Equal(P1, e.CategoryAps(0)[0], 15);
        Assert.Equal(-1, e.CategoryAps(1)[0]);
        Assert.Equal(0, e.CategoryAps(2)[0]);
        Assert.Equal(-1, e.RecallAt(0, 1, 0, 2));
        Assert.Equal(0, e.RecallAt(0, 2, 0, 2));
    }

    [Fact]
    public void ScoreTiesAcrossImagesRankInImageIdOrder()
    {
        // Equal scores: a false positive on one image, the true positive on the other. numpy's stable sort keeps
        // image-id order, so which comes first decides the precision at recall 1.
        CocoEvaluation Run(long fpImage, long tpImage) => new CocoEvalBuilder().Image(1).Image(2).Category(1)
            .Gt(tpImage, 1, 0, 0, 50, 50)
            .Dt(tpImage, 1, 0.5, 0, 0, 50, 50).Dt(fpImage, 1, 0.5, 100, 100, 50, 50).Evaluate();
        Assert.Equal(0.5, Run(fpImage: 1, tpImage: 2).Stats[0]);   // FP first: precision 1/2 at recall 1
        Assert.Equal(P1, Run(fpImage: 2, tpImage: 1).Stats[0], 15); // TP first: P1
    }

    [Fact]
    public void AreaRangesUseTheAnnotationAreaForGroundTruthAndTheBoxForDetections()
    {
        // GT box 40x40 (1600 px: medium by box) but its annotation says area 500: small. A small unmatched
        // detection (10x10) scored first is a false positive in "all" and "small", and ignored in "medium" and "large".
        var e = new CocoEvalBuilder().Image(1).Category(1).Gt(1, 1, 0, 0, 40, 40, area: 500)
            .Dt(1, 1, 0.9, 100, 100, 10, 10).Dt(1, 1, 0.8, 0, 0, 40, 40).Evaluate();
        Assert.Equal(0.5, e.Stats[0]);  // all: FP then TP
        Assert.Equal(0.5, e.Stats[3]);  // small
        Assert.Equal(-1, e.Stats[4]);   // medium: no GT in range
        Assert.Equal(-1, e.Stats[5]);   // large
        // The matched detection counts in "small" though its own box is medium: only unmatched detections are
        // judged by their own area.
        Assert.Equal(1, e.Stats[9]);
    }

    [Fact]
    public void AnUnmatchedDetectionOutsideTheAreaRangeIsIgnored()
    {
        // A medium GT found, plus a small false positive scored first: "medium" ignores the small detection.
        var e = new CocoEvalBuilder().Image(1).Category(1).Gt(1, 1, 0, 0, 40, 40)
            .Dt(1, 1, 0.9, 100, 100, 10, 10).Dt(1, 1, 0.8, 0, 0, 40, 40).Evaluate();
        Assert.Equal(0.5, e.Stats[0]);
        Assert.Equal(P1, e.Stats[4], 15);
    }

    [Fact]
    public void RecallThresholdsPastTheLastRecallReadZero()
    {
        // Two GTs, one found: recall 1/2; precision P1 at the 51 thresholds 0, .01, …, .50 and 0 at the rest.
        var e = new CocoEvalBuilder().Image(1).Category(1).Gt(1, 1, 0, 0, 50, 50).Gt(1, 1, 100, 100, 50, 50)
            .Dt(1, 1, 0.9, 0, 0, 50, 50).Evaluate();
        Assert.Equal(51 * P1 / 101, e.Stats[0], 15);
        Assert.Equal(P1, e.PrecisionAt(0, 50, 0, 0, 2));
        Assert.Equal(0, e.PrecisionAt(0, 51, 0, 0, 2));
        Assert.Equal(0.9, e.Scores[((0 * 101 + 50) * 1 + 0) * 4 * 3 + 0 * 3 + 2]);
        Assert.Equal(0.5, e.Stats[8]);
    }

    [Fact]
    public void AMatchToAGroundTruthWithIdZeroCountsAsNoMatchAsInPycocotools()
    {
        // pycocotools records a match by the GT's annotation id, and a recorded id of 0 reads as "unmatched".
        var e = new CocoEvalBuilder().Image(1).Category(1).Gt(1, 1, 0, 0, 50, 50, id: 0).Dt(1, 1, 0.9, 0, 0, 50, 50).Evaluate();
        Assert.Equal(0, e.Stats[0]);
        Assert.Equal(0, e.Stats[8]);
    }

    [Fact]
    public void ImagesWithNeitherGroundTruthNorDetectionsChangeNothing()
    {
        var one = new CocoEvalBuilder().Image(1).Category(1).Gt(1, 1, 0, 0, 10, 10).Dt(1, 1, 0.9, 0, 0, 10, 5).Evaluate();
        var more = new CocoEvalBuilder().Image(1).Image(2).Image(3).Category(1).Gt(1, 1, 0, 0, 10, 10).Dt(1, 1, 0.9, 0, 0, 10, 5).Evaluate();
        Assert.Equal(one.Stats, more.Stats);
    }

    [Fact]
    public void OnlyTheChosenImagesAreEvaluated()
    {
        // As pycocotools' params.imgIds: image 2's missed GT and false positive are left out entirely.
        var builder = new CocoEvalBuilder().Image(1).Image(2).Category(1)
            .Gt(1, 1, 0, 0, 10, 10).Dt(1, 1, 0.9, 0, 0, 10, 5)
            .Gt(2, 1, 0, 0, 30, 30).Dt(2, 1, 0.95, 50, 50, 30, 30);
        var one = new CocoEvalBuilder().Image(1).Category(1).Gt(1, 1, 0, 0, 10, 10).Dt(1, 1, 0.9, 0, 0, 10, 5).Evaluate();
        var chosen = builder.Evaluate(imageIds: [1]);
        Assert.Equal(one.Stats, chosen.Stats);
        Assert.Equal([1L], chosen.ImageIds);
        Assert.NotEqual(one.Stats, builder.Evaluate().Stats);
    }

    [Fact]
    public void SegmentationIouIsMeasuredOnMasks()
    {
        // A 20x20 square polygon GT (400 px) and a detection mask covering its left half plus nothing else:
        // IoU 200/400 = 0.5 although the detection's box, as given, is the whole square.
        const int size = 64;
        var square = new CocoPolygons([new double[] { 10, 10, 10, 30, 30, 30, 30, 10 }]);
        var gtMask = square.ToRle(size, size);
        Assert.Equal(400u, gtMask.Area());
        var half = new byte[size * size];
        for (int y = 10; y < 30; y++)
            for (int x = 10; x < 20; x++) half[y * size + x] = 1;
        var detection = Rle.Encode(half, size, size);
        var builder = new CocoEvalBuilder().Image(1, size, size).Category(1).Gt(1, 1, 10, 10, 20, 20, mask: square)
            .Dt(1, 1, 0.9, 10, 10, 20, 20, detection);
        var segm = builder.Evaluate(IouType.Segm, areaFromBox: false);
        Assert.Equal(P1 / 10, segm.Stats[0], 15);
        Assert.Equal(P1, segm.Stats[1], 15);
        var bbox = builder.Evaluate(IouType.Bbox);
        Assert.Equal(P1, bbox.Stats[0], 15);
    }

    [Fact]
    public void AResultForAnImageOutsideTheGroundTruthIsAnError()
    {
        var builder = new CocoEvalBuilder().Image(1).Category(1).Gt(1, 1, 0, 0, 10, 10).Dt(7, 1, 0.9, 0, 0, 10, 5);
        var error = Assert.Throws<DataException>(() => builder.Evaluate());
        Assert.Contains("image id 7", error.Message);
    }

    [Fact]
    public void SegmWithAGroundTruthLackingAMaskNamesTheAnnotation()
    {
        var builder = new CocoEvalBuilder().Image(1).Category(1).Gt(1, 1, 0, 0, 10, 10, id: 42)
            .Dt(1, 1, 0.9, 0, 0, 10, 5, Rle.FromBbox(new CocoBox(0, 0, 10, 5), 200, 200));
        var error = Assert.Throws<DataException>(() => builder.Evaluate(IouType.Segm, areaFromBox: false));
        Assert.Contains("annotation 42 has no segmentation", error.Message);
    }

    [Theory]
    [InlineData(0.0625, "0.062")]
    [InlineData(0.6875, "0.688")]
    [InlineData(0.5625, "0.562")]
    [InlineData(-1.0, "-1.000")]
    [InlineData(0.12345, "0.123")]
    [InlineData(0.0626, "0.063")]
    public void NumbersAreFormattedAsPythonFormatsThem(double value, string expected) =>
        Assert.Equal(expected, CocoSummary.Fixed(value, 3));

    [Fact]
    public void TheSummaryTableHasPycocotoolsLayout()
    {
        var e = new CocoEvalBuilder().Image(1).Category(1).Gt(1, 1, 0, 0, 10, 10).Dt(1, 1, 0.9, 0, 0, 10, 5).Evaluate();
        var lines = CocoSummary.Format(e).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(12, lines.Length);
        Assert.Equal(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = 0.100", lines[0]);
        Assert.Equal(" Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 1.000", lines[1]);
        Assert.Equal(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=medium | maxDets=100 ] = -1.000", lines[4]);
        Assert.Equal(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = 0.100", lines[6]);
    }
}
