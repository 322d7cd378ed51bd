using MaskRcnn.Modeling.Yolact;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling.Yolact;

/// <summary>
/// <see cref="YolactMatcher"/> against dbolya/yolact's <c>match</c> on the reference's own anchors (160 px input,
/// square anchors) and the small fixture's ground truth: overlapping L-shaped boxes, boxes on the anchor grid so that
/// some anchors pass the positive threshold besides the forced ones, and a crowd box that makes anchors neutral.
/// Reference: Fixtures/model/yolact_r50_small.json (conf_t, idx_t) from scripts/make_yolact_fixture.py.
/// </summary>
public class YolactMatcherParityTests
{
    [Fact]
    public void ClassTargetsAndMatchedTruthsAreTheReferences()
    {
        var f = YolactFixture.Small();
        using var scope = torch.NewDisposeScope();
        var boxes = f.TargetBoxes();
        long objects = boxes.shape[0] - f.NumCrowds;
        var labels = torch.tensor(f.Targets().Take((int)objects).Select(t => (long)t.Label + 1).ToArray());
        var matcher = new YolactMatcher(f.ConfigDouble("positive_iou_threshold"), f.ConfigDouble("negative_iou_threshold"), f.ConfigDouble("crowd_iou_threshold"));

        var (conf, gtIndex, _) = matcher.Match(boxes[..(int)objects], labels, f.Tensor("priors"), boxes[(int)objects..]);

        var expected = f.Tensor("conf_t");
        // The case is only a test of the rules when all three outcomes occur, the crowd rule included.
        Assert.True(expected.eq(YolactMatcher.Neutral).sum().item<long>() > 100, "neutral anchors");
        Assert.True(f.Scalar("num_pos") > objects, "positives beyond the forced matches");
        TensorAssert.Equal(expected, conf, "conf_t");
        TensorAssert.Equal(f.Tensor("idx_t"), gtIndex, "idx_t");
    }
}
