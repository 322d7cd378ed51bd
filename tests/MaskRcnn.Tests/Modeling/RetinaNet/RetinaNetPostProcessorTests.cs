using MaskRcnn.Layers;
using MaskRcnn.Modeling.RetinaNet;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling.RetinaNet;

/// <summary>RetinaNetPostProcessor's rules: score threshold, top-N per level, logit k → label k + 1, decoding and
/// clipping, NMS per class across levels, the detection cap.</summary>
public sealed class RetinaNetPostProcessorTests
{
    static RetinaNetOptions Options(int preNmsTopN = 1000, int detections = 100) => new(NumClasses: 3, NumConvs: 1,
        PriorProbability: 0.01, FgIouThreshold: 0.5, BgIouThreshold: 0.4, FocalAlpha: 0.25, FocalGamma: 2.0, BoxLossBeta: 0.11,
        BoxLossNormalizer: 4.0, BoxCoderWeights: [10, 10, 5, 5], ScoreThreshold: 0.5, PreNmsTopN: preNmsTopN, NmsThreshold: 0.5, DetectionsPerImage: detections);

    static float Logit(double p) => (float)Math.Log(p / (1 - p));

    // Level 0: two anchors; level 1: one anchor overlapping level 0's first one. Two foreground classes.
    static readonly Tensor[] Anchors =
    [
        torch.tensor(new float[] { 0, 0, 20, 20, 40, 40, 60, 60 }, [2, 4]),
        torch.tensor(new float[] { 1, 1, 21, 21 }, [1, 4]),
    ];

    static Tensor[] Logits() =>
    [
        torch.tensor(new[] { Logit(0.9), Logit(0.6), Logit(0.4), Logit(0.7) }, [1, 2, 2]),
        torch.tensor(new[] { Logit(0.8), Logit(0.55) }, [1, 1, 2]),
    ];

    static Tensor[] Deltas() => [torch.zeros(1, 2, 4), torch.zeros(1, 1, 4)];

    static (float[] Scores, long[] Labels, float[] Boxes) Run(RetinaNetOptions options, ImageSize size)
    {
        var d = new RetinaNetPostProcessor(options, new BoxCoder(10, 10, 5, 5)).Process(Anchors, Logits(), Deltas(), [size]).Single();
        return (d.Field(BoxFields.Scores).data<float>().ToArray(), d.Field(BoxFields.Labels).data<long>().ToArray(), d.Boxes.data<float>().ToArray());
    }

    [Fact]
    public void KeepsScoresAboveThresholdAndSuppressesPerClassAcrossLevels()
    {
        var (scores, labels, boxes) = Run(Options(), new ImageSize(100, 100));
        // Candidates: (a0, c1) 0.9, (a0, c2) 0.6, (a1, c2) 0.7, (a2, c1) 0.8, (a2, c2) 0.55. Across levels a2 overlaps a0
        // (IoU 0.82): class 1 keeps 0.9, class 2 keeps 0.6 (a0) over 0.55 (a2); a1 is apart.
        Assert.Equal([0.9f, 0.7f, 0.6f], scores, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal([1L, 2L, 2L], labels);
        Assert.Equal([0f, 0, 20, 20, 40, 40, 60, 60, 0, 0, 20, 20], boxes);
    }

    [Fact]
    public void TopNPerLevelAndTheDetectionCapApply()
    {
        var (scores, labels, _) = Run(Options(preNmsTopN: 1), new ImageSize(100, 100));
        // Level 0 keeps only 0.9, level 1 only 0.8, which class 1's NMS then removes.
        Assert.Equal([0.9f], scores, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal([1L], labels);
        Assert.Equal(2, Run(Options(detections: 2), new ImageSize(100, 100)).Scores.Length);
    }

    [Fact]
    public void BoxesAreClippedToTheImage()
    {
        var (_, _, boxes) = Run(Options(), new ImageSize(50, 30));
        Assert.Equal([0f, 0, 20, 20, 30, 40, 30, 50, 0, 0, 20, 20], boxes);
    }
}
