using MaskRcnn.Modeling.Yolact;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling.Yolact;

public class YolactLossTests
{
    static readonly YolactLossOptions Base = new(0.5, 0.4, 0.7, NegPosRatio: 3, MasksToTrain: 100, BoxLossWeight: 1.5,
        ClassLossWeight: 1, MaskLossWeight: 6.125, SemanticLossWeight: 1);

    // The four quarters of the input, then the whole input.
    static readonly double[][] Quarters = [[0, 0, 0.5, 0.5], [0.5, 0, 1, 0.5], [0, 0.5, 0.5, 1], [0.5, 0.5, 1, 1]];

    /// <summary>A target in pixels of an <paramref name="h"/>×<paramref name="w"/> image; each mask is the pixel rectangle (x1, y1, x2, y2).</summary>
    static BoxList Target(int h, int w, double[][] boxes, long[] labels, int[][] maskRects, bool[]? crowd = null)
    {
        var masks = torch.zeros([boxes.Length, h, w], ScalarType.Bool);
        for (int i = 0; i < maskRects.Length; i++)
        {
            var r = maskRects[i];
            masks[i, r[1]..r[3], r[0]..r[2]] = torch.tensor(true);
        }
        var target = new BoxList(YolactMatcherTests.Boxes(boxes), new ImageSize(h, w))
            .With(BoxFields.Labels, torch.tensor(labels))
            .With(BoxFields.Masks, new BitMasks(masks));
        return crowd is null ? target : target.With(BoxFields.IsCrowd, torch.tensor(crowd));
    }

    static YolactPredictions Zeros(int images, int anchors, int classes, int k, int protoSize, Tensor priors, bool semantic) => new(
        torch.zeros(images, anchors, 4), torch.zeros(images, anchors, classes), torch.zeros(images, anchors, k), priors,
        torch.zeros(images, protoSize, protoSize, k), semantic ? torch.zeros(images, classes - 1, 2, 2) : null);

    static double Value(Dictionary<string, Tensor> losses, string key) => losses[key].item<float>();

    static double LogSumExp(params double[] x) { double m = x.Max(); return m + Math.Log(x.Sum(v => Math.Exp(v - m))); }
    static double Bce(double p, double t) => -(t * Math.Max(Math.Log(p), -100) + (1 - t) * Math.Max(Math.Log(1 - p), -100));
    static double BceWithLogits(double x, double t) => Math.Max(x, 0) - x * t + Math.Log(1 + Math.Exp(-Math.Abs(x)));
    static double SmoothL1(double d) => Math.Abs(d) < 1 ? 0.5 * d * d : Math.Abs(d) - 0.5;

    [Fact]
    public void AllFourLossesOfASmallCaseFollowTheirDefinitions()
    {
        // An 8×8 input, four quarter anchors, one gt (label 1 of 3 classes) on the top-left quarter, its mask the same
        // 4×4 pixels. Anchor 0 is the one positive (target deltas 0); OHEM's quota min(3·1, 4−1) takes the 3 others.
        var priors = YolactMatcherTests.Priors(Quarters);
        var target = Target(8, 8, [[0, 0, 4, 4]], [1], [[0, 0, 4, 4]]);
        float[] loc0 = [0.5f, -2f, 0f, 0.1f];
        var loc = torch.tensor([.. loc0, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9], [1, 4, 4]);
        float[][] conf = [[0.2f, 1.0f, -0.5f], [1f, 0f, 0f], [0f, 2f, 0f], [-1f, 0f, 0.5f]];
        float[] coeff0 = [0.5f, -0.25f];
        var coeffs = torch.tensor([.. coeff0, 1, 1, 1, 1, 1, 1], [1, 4, 2]);
        // Prototypes 4×4×2: channel 0 = (4y + x)/16, channel 1 = (x − y)/4.
        var proto = new float[32];
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++)
                (proto[(y * 4 + x) * 2], proto[(y * 4 + x) * 2 + 1]) = ((4 * y + x) / 16f, (x - y) / 4f);
        float[] semantic = [0.3f, -0.2f, 0.1f, 0.4f, -0.5f, 0.6f, 0.0f, 0.2f];
        var p = new YolactPredictions(loc, torch.tensor(conf.SelectMany(c => c).ToArray(), [1, 4, 3]), coeffs, priors,
            torch.tensor(proto, [1, 4, 4, 2]), torch.tensor(semantic, [1, 2, 2, 2]));

        var losses = new YolactLoss(Base).Compute(p, [target], 8, 8, null);

        Assert.Equal(1.5 * loc0.Sum(d => SmoothL1(d)), Value(losses, YolactLoss.BoxLoss), 5);
        double ce = LogSumExp(conf[0].Select(v => (double)v).ToArray()) - conf[0][1]
                    + conf.Skip(1).Sum(c => LogSumExp(c.Select(v => (double)v).ToArray()) - c[0]);
        Assert.Equal(ce, Value(losses, YolactLoss.ClassLoss), 5);
        // Mask: the gt mask halves to ones on cells x, y < 2; the crop (box cells 0..2, padding 1) keeps x, y < 3,
        // outside which the prediction is 0 against a 0 target (no loss); the sum is divided by the box's 2×2 cells.
        double mask = 0;
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 3; x++)
            {
                double pred = 1 / (1 + Math.Exp(-(proto[(y * 4 + x) * 2] * coeff0[0] + proto[(y * 4 + x) * 2 + 1] * coeff0[1])));
                mask += Bce(pred, x < 2 && y < 2 ? 1 : 0);
            }
        Assert.Equal(6.125 * mask / 4, Value(losses, YolactLoss.MaskLoss), 4);
        // Semantic: at 2×2 the gt mask covers cell (0, 0) of class channel 0 only; the sum is divided by the 4 cells.
        double sem = 0;
        for (int i = 0; i < 8; i++) sem += BceWithLogits(semantic[i], i == 0 ? 1 : 0);
        Assert.Equal(sem / 4, Value(losses, YolactLoss.SemanticLoss), 5);
    }

    [Fact]
    public void MaskLossIsDividedByTheGroundTruthBoxAreaInPrototypeCells()
    {
        // Zero prototypes predict 0.5 everywhere: BCE ln 2 per cell whatever the target, so each mask's loss is
        // ln 2 × (cells kept by the crop) / (box cells). Top-left quarter on a 4×4 grid: crop 3×3 (padding 1) over a
        // 2×2 box; whole input: 16 over 16. Two positives, so the sum is divided by 2.
        var priors = YolactMatcherTests.Priors([.. Quarters, [0, 0, 1, 1]]);
        var target = Target(8, 8, [[0, 0, 4, 4], [0, 0, 8, 8]], [1, 2], [[0, 0, 4, 4], [0, 0, 8, 8]]);
        var p = Zeros(1, 5, 3, 2, 4, priors, semantic: false);
        double quarter = 9 * Math.Log(2) / 4, whole = 16 * Math.Log(2) / 16;

        var losses = new YolactLoss(Base).Compute(p, [target], 8, 8, null);
        Assert.Equal(6.125 * (quarter + whole) / 2, Value(losses, YolactLoss.MaskLoss), 5);
        Assert.False(losses.ContainsKey(YolactLoss.SemanticLoss));

        // One mask trained of two: that one's loss scaled by 2/1, the positive count still 2.
        var limited = new YolactLoss(Base with { MasksToTrain = 1 });
        var drawn = Enumerable.Range(0, 8).Select(seed => Value(limited.Compute(p, [target], 8, 8, [new Generator((ulong)seed)]), YolactLoss.MaskLoss)).ToList();
        foreach (var v in drawn)
            Assert.True(Math.Abs(v - 6.125 * quarter) < 1e-4 || Math.Abs(v - 6.125 * whole) < 1e-4, $"mask loss {v}");
        Assert.True(drawn.Distinct().Count() == 2, "eight seeds always drew the same mask");
        Assert.Equal(drawn[3], Value(limited.Compute(p, [target], 8, 8, [new Generator(3)]), YolactLoss.MaskLoss));
    }

    [Fact]
    public void SemanticTargetsAreEachClassesUnionOfMasksOverThePaddedInput()
    {
        // Logits 2 everywhere: a cell costs s1 = ln(1 + e^−2) where the target is 1 and s0 = 2 + s1 where it is 0.
        // At 2×2 over an 8×8 input, cell (r, c) samples pixel (4c + 1.5, 4r + 1.5).
        // Image 0: label 2 on the top-left quarter and on the bottom half, label 1 on the top-left quarter:
        //   channel 1 (label 2) = [[1, 0], [1, 1]], channel 0 = [[1, 0], [0, 0]]: 4 ones of 8.
        // Image 1 is 4×8 (padded to 8×8): label 1 over the whole image: channel 0 = [[1, 1], [0, 0]]: 2 ones of 8.
        var priors = YolactMatcherTests.Priors(Quarters);
        var first = Target(8, 8, [[0, 0, 4, 4], [0, 4, 8, 8], [0, 0, 4, 4]], [2, 2, 1], [[0, 0, 4, 4], [0, 4, 8, 8], [0, 0, 4, 4]]);
        var second = Target(4, 8, [[0, 0, 8, 4]], [1], [[0, 0, 8, 4]]);
        var p = Zeros(2, 4, 3, 2, 4, priors, semantic: true) with { Semantic = torch.full([2, 2, 2, 2], 2f) };
        double s1 = Math.Log(1 + Math.Exp(-2)), s0 = 2 + s1;
        double expected = ((4 * s1 + 4 * s0) + (2 * s1 + 6 * s0)) / 4 / 2;

        var losses = new YolactLoss(Base with { SemanticLossWeight = 3 }).Compute(p, [first, second], 8, 8, null);
        Assert.Equal(3 * expected, Value(losses, YolactLoss.SemanticLoss), 5);
    }

    [Fact]
    public void OhemTakesTheHardestNegativesPerImageAndNeverPositivesOrNeutrals()
    {
        // 12 anchors, 3 classes; the background logit of anchor a is −h[a], the others 0, so hardness
        // logsumexp − conf[0] = ln(e^−h + 2) + h grows with h. Anchor 3 is neutral and the hardest of all.
        double[] h = [5, 0.3, 2.5, 9, 1.1, 4, 0.7, 3.3, 0.1, 1.9, 2.9, 0.5];
        var row = h.SelectMany(v => new[] { (float)-v, 0f, 0f }).ToArray();
        var conf = torch.tensor([.. row, .. row, .. row], [3, 12, 3]);
        // Image 0: positives 0 and 5, neutral 3 → quota 6 of the 9 negatives.
        // Image 1: no positive → no negative.
        // Image 2: positives 0, 2, 4, 6, neutral 3 → quota min(12, 11) = 11, more than its 7 negatives: all of them.
        long[] first = [1, 0, 0, -1, 0, 1, 0, 0, 0, 0, 0, 0];
        long[] second = [0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0];
        long[] third = [1, 0, 2, -1, 1, 0, 1, 0, 0, 0, 0, 0];
        var confT = torch.tensor([.. first, .. second, .. third], [3, 12]);

        var negatives = YolactLoss.HardNegatives(conf, confT, confT > 0, ratio: 3);

        var expectedFirst = Enumerable.Range(0, 12).Where(a => first[a] == 0).OrderByDescending(a => h[a]).Take(6).ToHashSet();
        Assert.Equal(6, expectedFirst.Count);
        Assert.Equal(Enumerable.Range(0, 12).Select(expectedFirst.Contains), negatives[0].data<bool>().ToArray());
        Assert.False(negatives[1].any().item<bool>());
        Assert.Equal(third.Select(t => t == 0), negatives[2].data<bool>().ToArray());
    }

    [Fact]
    public void ABatchWithoutPositivesHasZeroLossesAndStillBacksUp()
    {
        // One image without ground truth, one whose only box is a crowd (which is never a target): no positive anywhere.
        var priors = YolactMatcherTests.Priors(Quarters);
        var empty = new BoxList(torch.zeros(0, 4), new ImageSize(8, 8)).With(BoxFields.Labels, torch.zeros(0, ScalarType.Int64));
        var crowdOnly = Target(8, 8, [[0, 0, 4, 4]], [1], [[0, 0, 4, 4]], crowd: [true]);
        var p = Zeros(2, 4, 3, 2, 4, priors, semantic: true);
        foreach (var t in new[] { p.Loc, p.Conf, p.Coeffs, p.Prototypes, p.Semantic! }) t.requires_grad_(true);

        var losses = new YolactLoss(Base).Compute(p, [empty, crowdOnly], 8, 8, null);

        Assert.Equal(0.0, Value(losses, YolactLoss.BoxLoss));
        Assert.Equal(0.0, Value(losses, YolactLoss.ClassLoss));
        Assert.Equal(0.0, Value(losses, YolactLoss.MaskLoss));
        // The crowd's mask is not a semantic target either: every cell of both images is background, ln 2 each.
        Assert.Equal(2 * 8 * Math.Log(2) / 4 / 2, Value(losses, YolactLoss.SemanticLoss), 5);
        losses.Values.Aggregate((a, b) => a + b).backward();
        Assert.True(p.Conf.grad is { } g && g.isfinite().all().item<bool>());
    }
}
