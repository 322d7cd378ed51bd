using MaskRcnn.Modeling.Yolact;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling.Yolact;

public class YolactMatcherTests
{
    static readonly YolactMatcher Matcher = new(positiveThreshold: 0.5, negativeThreshold: 0.4, crowdThreshold: 0.7);

    /// <summary>Anchors given in point form (x1, y1, x2, y2), relative, returned as the (cx, cy, w, h) priors.</summary>
    internal static Tensor Priors(params double[][] pointForm) => torch.tensor(
        pointForm.SelectMany(b => new[] { (float)((b[0] + b[2]) / 2), (float)((b[1] + b[3]) / 2), (float)(b[2] - b[0]), (float)(b[3] - b[1]) }).ToArray(),
        [pointForm.Length, 4]);

    internal static Tensor Boxes(params double[][] boxes) =>
        torch.tensor(boxes.SelectMany(b => b.Select(v => (float)v)).ToArray(), [boxes.Length, 4]);

    static long[] Longs(Tensor t) => t.data<long>().ToArray();

    [Fact]
    public void AGroundTruthBelowEveryThresholdStillGetsItsBestAnchor()
    {
        // The gt covers 0.04 of anchor 0's 0.25: IoU 0.16, under the negative threshold, yet anchor 0 is forced onto it.
        var priors = Priors([0, 0, 0.5, 0.5], [0.5, 0.5, 1, 1]);
        var (conf, gtIndex, loc) = Matcher.Match(Boxes([0, 0, 0.2, 0.2]), torch.tensor(new long[] { 3 }), priors, null);
        Assert.Equal([3L, 0L], Longs(conf));
        Assert.Equal([0L, 0L], Longs(gtIndex));
        // Centre (0.1, 0.1) against (0.25, 0.25) at width 0.5: −0.15/(0.1·0.5) = −3; size ln(0.2/0.5)/0.2.
        double size = Math.Log(0.4) / 0.2;
        TensorAssert.Close(torch.tensor(new[] { -3f, -3f, (float)size, (float)size }), loc[0], 1e-5, 1e-5);
    }

    [Fact]
    public void CompetingGroundTruthsAreForcedInOrderOfOverlapNotOfIndex()
    {
        // Anchors: the whole input, its left half, its right half. IoUs (hand-derived):
        //   gt 0 = (0, 0, 0.9, 1):  whole 0.9,  left 0.5/0.9 = 0.556, right 0.4/1.0 = 0.4
        //   gt 1 = (0, 0, 1, 0.95): whole 0.95, left 0.475/0.975 = 0.487, right 0.487
        // The highest pair (gt 1, whole) is forced first, so gt 0 gets the left half. In index order gt 0 would take the
        // whole anchor instead. The right half keeps its own best gt (gt 1 at 0.487): neutral.
        var priors = Priors([0, 0, 1, 1], [0, 0, 0.5, 1], [0.5, 0, 1, 1]);
        var (conf, gtIndex, _) = Matcher.Match(Boxes([0, 0, 0.9, 1], [0, 0, 1, 0.95]), torch.tensor(new long[] { 1, 2 }), priors, null);
        Assert.Equal([1L, 0L, 1L], Longs(gtIndex));
        Assert.Equal([2L, 1L, YolactMatcher.Neutral], Longs(conf));
    }

    [Fact]
    public void ForcedMatchesTakeEachAnchorAndGroundTruthOnce()
    {
        // Both gts prefer anchor 0; gt 1 has the higher overlap there, so gt 0 falls back to its next best, anchor 2.
        var overlaps = torch.tensor(new float[] { 0.6f, 0.1f, 0.3f, 0.9f, 0.2f, 0.0f }, [2, 3]);
        var (anchors, truths) = YolactMatcher.ForcedMatches(overlaps);
        Assert.Equal([0L, 2L], anchors);
        Assert.Equal([1L, 0L], truths);
        // More gts than anchors: one round per anchor.
        var (fewAnchors, fewTruths) = YolactMatcher.ForcedMatches(torch.tensor(new float[] { 0.2f, 0.7f, 0.5f }, [3, 1]));
        Assert.Equal([0L], fewAnchors);
        Assert.Equal([1L], fewTruths);
    }

    [Fact]
    public void PositiveNeutralAndBackgroundByTheThresholds()
    {
        // The gt is the whole input; anchors are the whole input (forced), then strips of height 0.5, 0.45, 0.4 and
        // 0.39 from the top, whose IoU with the gt is their height: positive from 0.5, neutral down to 0.4, background below.
        var priors = Priors([0, 0, 1, 1], [0, 0, 1, 0.5], [0, 0, 1, 0.45], [0, 0, 1, 0.4], [0, 0, 1, 0.39]);
        var (conf, _, _) = Matcher.Match(Boxes([0, 0, 1, 1]), torch.tensor(new long[] { 4 }), priors, null);
        Assert.Equal([4L, 4L, YolactMatcher.Neutral, YolactMatcher.Neutral, 0L], Longs(conf));
    }

    [Fact]
    public void AnchorsInsideACrowdAreNeutralUnlessPositive()
    {
        // The gt is the left half (anchor 0, positive). Crowd 0 is the right half: anchor 1 lies wholly inside it
        // (1 > 0.7: background becomes neutral), anchor 2 has half its area in either crowd (0.5: stays background).
        // Crowd 1 covers the gt, so anchors 0 and 3 (IoU 0.9) lie wholly inside a crowd too, and stay positive.
        var priors = Priors([0, 0, 0.5, 1], [0.6, 0, 1, 0.5], [0.25, 0.5, 0.75, 1], [0, 0, 0.5, 0.9]);
        var truths = Boxes([0, 0, 0.5, 1]);
        var labels = torch.tensor(new long[] { 2 });
        var crowd = Boxes([0.5, 0, 1, 1], [0, 0, 0.5, 1]);
        var (conf, _, _) = Matcher.Match(truths, labels, priors, crowd);
        Assert.Equal([2L, YolactMatcher.Neutral, 0L, 2L], Longs(conf));
        // A crowd threshold of 1 turns the rule off, as the reference.
        var (off, _, _) = new YolactMatcher(0.5, 0.4, 1.0).Match(truths, labels, priors, crowd);
        Assert.Equal([2L, 0L, 0L, 2L], Longs(off));
    }

    [Fact]
    public void AnImageWithoutGroundTruthIsAllBackgroundExceptUnderCrowds()
    {
        var priors = Priors([0, 0, 0.5, 0.5], [0.5, 0.5, 1, 1]);
        var (conf, gtIndex, loc) = Matcher.Match(torch.zeros(0, 4), torch.zeros(0, ScalarType.Int64), priors, null);
        Assert.Equal([0L, 0L], Longs(conf));
        Assert.Equal([0L, 0L], Longs(gtIndex));
        Assert.Equal(new long[] { 2, 4 }, loc.shape);
        var (crowded, _, _) = Matcher.Match(torch.zeros(0, 4), torch.zeros(0, ScalarType.Int64), priors, Boxes([0.4, 0.4, 1, 1]));
        Assert.Equal([0L, YolactMatcher.Neutral], Longs(crowded));
    }
}
