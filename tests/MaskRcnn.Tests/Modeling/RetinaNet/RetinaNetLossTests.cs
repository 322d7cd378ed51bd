using MaskRcnn.Layers;
using MaskRcnn.Modeling.RetinaNet;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling.RetinaNet;

/// <summary>RetinaNetLossComputation by hand: labels from the matcher, focal loss over every counted (anchor, class)
/// divided by positives + images, smooth L1 over positives divided by positives × BBOX_REG_WEIGHT.</summary>
public sealed class RetinaNetLossTests
{
    static readonly RetinaNetOptions Options = new(NumClasses: 4, NumConvs: 1, PriorProbability: 0.01, FgIouThreshold: 0.5,
        BgIouThreshold: 0.4, FocalAlpha: 0.25, FocalGamma: 2.0, BoxLossBeta: 0.11, BoxLossNormalizer: 4.0, BoxCoderWeights: [10, 10, 5, 5],
        ScoreThreshold: 0.05, PreNmsTopN: 1000, NmsThreshold: 0.4, DetectionsPerImage: 100);

    // Anchor 0 is the gt box (positive), anchor 1 overlaps it by IoU 0.45 (ignored), anchor 2 is far (background).
    static readonly Tensor Anchors = torch.tensor(new float[] { 0, 0, 10, 10, 0, 0, 10, 4.5f, 50, 50, 60, 60 }, [3, 4]);
    static BoxList Target() => new BoxList(torch.tensor(new float[] { 0, 0, 10, 10 }, [1, 4]), new ImageSize(64, 64))
        .With(BoxFields.Labels, torch.tensor(new long[] { 2 }));

    static double Positive(double x, double alpha, double gamma)
    {
        double p = 1 / (1 + Math.Exp(-x));
        return -alpha * Math.Pow(1 - p, gamma) * Math.Log(p);
    }

    static double Negative(double x, double alpha, double gamma)
    {
        double p = 1 / (1 + Math.Exp(-x));
        return -(1 - alpha) * Math.Pow(p, gamma) * Math.Log(1 - p);
    }

    [Fact]
    public void LabelsFollowTheMatcher()
    {
        var loss = new RetinaNetLoss(Options, new BoxCoder(10, 10, 5, 5));
        var (labels, regression) = loss.Targets(Anchors, Target());
        Assert.Equal([2L, -1L, 0L], labels.data<long>().ToArray());
        Assert.Equal(0f, regression[0].abs().max().item<float>());
    }

    [Fact]
    public void LossesAreNormalisedAsMaskRcnnBenchmarks()
    {
        var loss = new RetinaNetLoss(Options, new BoxCoder(10, 10, 5, 5));
        float[] logitValues = [0.3f, -1.2f, 2.0f, 0.7f, 0.1f, -0.4f, -2.5f, 1.5f, 0.05f];
        var logits = torch.tensor(logitValues, [1, 3, 3]);
        var deltas = torch.tensor(new float[] { 0.05f, -0.5f, 0.2f, 0.01f, 9, 9, 9, 9, 9, 9, 9, 9 }, [1, 3, 4]);
        var (cls, box) = loss.Compute(Anchors, logits, deltas, [Target()]);

        // Anchor 0: positive of class 2 (logit index 1), negative of classes 1 and 3; anchor 1 ignored; anchor 2 all negative.
        double expectedCls = Negative(0.3, 0.25, 2) + Positive(-1.2, 0.25, 2) + Negative(2.0, 0.25, 2)
            + Negative(-2.5, 0.25, 2) + Negative(1.5, 0.25, 2) + Negative(0.05, 0.25, 2);
        Assert.Equal(expectedCls / (1 + 1), cls.item<float>(), 5);
        // Smooth L1 (β 0.11) of anchor 0's deltas against 0; the others' wild deltas do not count.
        static double SmoothL1(double x) => Math.Abs(x) < 0.11 ? 0.5 * x * x / 0.11 : Math.Abs(x) - 0.055;
        double expectedBox = (SmoothL1(0.05) + SmoothL1(0.5) + SmoothL1(0.2) + SmoothL1(0.01)) / (1 * 4.0);
        Assert.Equal(expectedBox, box.item<float>(), 5);
    }

    [Fact]
    public void AnImageWithoutBoxesIsAllBackground()
    {
        var loss = new RetinaNetLoss(Options, new BoxCoder(10, 10, 5, 5));
        var empty = new BoxList(torch.zeros(0, 4), new ImageSize(64, 64)).With(BoxFields.Labels, torch.zeros(0, ScalarType.Int64));
        var logits = torch.zeros(1, 3, 3);
        var (cls, box) = loss.Compute(Anchors, logits, torch.zeros(1, 3, 4), [empty]);
        Assert.Equal(9 * Negative(0, 0.25, 2) / 1, cls.item<float>(), 5);
        Assert.Equal(0f, box.item<float>());
    }
}
