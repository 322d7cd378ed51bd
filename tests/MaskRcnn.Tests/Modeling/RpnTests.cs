using MaskRcnn.Layers;
using MaskRcnn.Modeling;
using MaskRcnn.Modeling.RoiHeads;
using MaskRcnn.Modeling.RoiHeads.Box;
using MaskRcnn.Modeling.Rpn;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling;

public class AnchorGeneratorTests
{
    static AnchorGenerator Fpn(BoxConvention convention) =>
        new([[32], [64], [128], [256], [512]], [0.5, 1.0, 2.0], [4, 8, 16, 32, 64], convention, straddleThreshold: 0);

    [Fact]
    public void TorchvisionConventionMatchesTorchvisionsAnchors()
    {
        var c = TensorFixture.Load("ops/anchors.json")["fpn"];
        var grids = c.Param("grid_sizes").EnumerateArray().Select(g => (g[0].GetInt64(), g[1].GetInt64())).ToList();
        // Its P6 stride is the padded size over the grid: 128/2 = 64 high but 160/3 = 53 wide.
        var anchors = torch.cat(Fpn(BoxConvention.Torchvision).GridAnchors(grids, new ImageSize(128, 160), torch.CPU), 0);
        TensorAssert.Equal(c.Tensor("anchors"), anchors);
    }

    [Fact]
    public void MaskrcnnBenchmarkConventionIsDetectrons()
    {
        // Stride 16, size 32: ratio 0.5 → 23×12 before scaling by 2 (46×24), centred at 7.5 with "+1" widths;
        // ratio 1 → 32×32; ratio 2 → 11×22 → 22×44. (Detectron's generate_anchors, rounding half to even.)
        var gen = new AnchorGenerator([[32, 64]], [0.5, 1.0, 2.0], [16], BoxConvention.MaskrcnnBenchmark, 0);
        var cells = gen.CellAnchors(0);
        Assert.Equal(new long[] { 6, 4 }, cells.shape);
        TensorAssert.Equal(torch.tensor(new float[] { -15, -4, 30, 19 }), cells[0]);
        TensorAssert.Equal(torch.tensor(new float[] { -8, -8, 23, 23 }), cells[2]);
        TensorAssert.Equal(torch.tensor(new float[] { -3, -14, 18, 29 }), cells[4]);
        TensorAssert.Equal(torch.tensor(new float[] { -24, -24, 39, 39 }), cells[3]); // ratio 1, size 64
    }

    [Fact]
    public void GridIsLocationMajorWithAllAnchorsOfALocationTogether()
    {
        var gen = new AnchorGenerator([[32]], [1.0], [16], BoxConvention.Torchvision, 0);
        var anchors = gen.GridAnchors([(2, 3)], new ImageSize(32, 48), torch.CPU)[0];
        // Location (y=1, x=2) is index 5: shifted by (32, 16).
        TensorAssert.Equal(torch.tensor(new float[] { 16, 0, 48, 32 }), anchors[5]);
    }

    [Fact]
    public void StraddlingAnchorsAreNotVisible()
    {
        var gen = new AnchorGenerator([[32]], [1.0], [16], BoxConvention.Torchvision, 0);
        var anchors = torch.tensor(new float[] { 0, 0, 10, 10, -1, 0, 10, 10, 0, 0, 20, 10 }, [3, 4]);
        Assert.Equal(new[] { true, false, false }, gen.Visible(anchors, new ImageSize(20, 20)).data<bool>().ToArray());
        var all = new AnchorGenerator([[32]], [1.0], [16], BoxConvention.Torchvision, -1);
        Assert.All(all.Visible(anchors, new ImageSize(20, 20)).data<bool>().ToArray(), Assert.True);
    }
}

public class RegionProposalNetworkTests
{
    [Fact]
    public void ProposalsMatchTorchvisionsRpn()
    {
        var c = TensorFixture.Load("ops/rpn.json")["fpn,test"];
        var options = new RpnOptions(0.7, 0.3, 256, 0.5, 2000, c.Int("pre_nms_top_n"), 2000, c.Int("post_nms_top_n"),
            2000, c.Int("post_nms_top_n"), false, c.Double("nms"), c.Double("min_size"));
        var anchors = new AnchorGenerator([[32], [64], [128], [256], [512]], [0.5, 1.0, 2.0], [4, 8, 16, 32, 64], BoxConvention.Torchvision, -1);
        var rpn = new RegionProposalNetwork(8, anchors, options, BoxConvention.Torchvision);
        var weights = new Dictionary<string, string>
        {
            ["head.conv.weight"] = "conv.0.0.weight", ["head.conv.bias"] = "conv.0.0.bias",
            ["head.cls_logits.weight"] = "cls_logits.weight", ["head.cls_logits.bias"] = "cls_logits.bias",
            ["head.bbox_pred.weight"] = "bbox_pred.weight", ["head.bbox_pred.bias"] = "bbox_pred.bias",
        };
        using (torch.no_grad())
            foreach (var (name, p) in rpn.named_parameters()) p.copy_(c.Tensor(weights[name]));
        rpn.eval();
        var images = new ImageList(torch.zeros(2, 3, 128, 160), [new ImageSize(128, 160), new ImageSize(120, 150)]);
        var features = Enumerable.Range(0, 5).Select(i => c.Tensor($"feat{i}")).ToArray();
        var (proposals, losses) = rpn.Forward(images, features, null);
        Assert.Empty(losses);
        TensorAssert.Close(c.Tensor("proposals0"), proposals[0].Boxes, rtol: 1e-5, atol: 1e-4, what: "image 0");
        TensorAssert.Close(c.Tensor("proposals1"), proposals[1].Boxes, rtol: 1e-5, atol: 1e-4, what: "image 1");
    }

    [Fact]
    public void TrainingLossesAreFiniteAndFallWithAGoodPrediction()
    {
        var options = new RpnOptions(0.7, 0.3, 64, 0.5, 200, 100, 100, 50, 100, 50, false, 0.7, 0);
        var anchors = new AnchorGenerator([[16]], [1.0], [8], BoxConvention.Torchvision, 0);
        var rpn = new RegionProposalNetwork(4, anchors, options, BoxConvention.Torchvision);
        rpn.train();
        var images = new ImageList(torch.zeros(1, 3, 64, 64), [new ImageSize(64, 64)]);
        var target = new BoxList(torch.tensor(new float[] { 8, 8, 24, 24 }, [1, 4]), new ImageSize(64, 64));
        var features = new[] { torch.randn(1, 4, 8, 8, generator: new Generator(1)) };
        var (_, losses) = rpn.Forward(images, features, [target], [new Generator(2)]);
        Assert.True(losses["loss_objectness"].item<float>() is > 0 and < 10);
        Assert.True(float.IsFinite(losses["loss_rpn_box_reg"].item<float>()));
        var optimizer = torch.optim.SGD(rpn.parameters(), 0.5);
        float first = 0, last = 0;
        for (int step = 0; step < 30; step++)
        {
            optimizer.zero_grad();
            var (_, l) = rpn.Forward(images, features, [target], [new Generator(2)]);
            var total = l["loss_objectness"] + l["loss_rpn_box_reg"];
            total.backward();
            optimizer.step();
            if (step == 0) first = total.item<float>();
            last = total.item<float>();
        }
        Assert.True(last < first * 0.7, $"loss went from {first} to {last}");
    }
}

public class BoxPostProcessorTests
{
    [Fact]
    public void DetectionsMatchTorchvisionsPostprocessing()
    {
        var c = TensorFixture.Load("ops/box_postprocess.json")["torchvision"];
        var options = new RoiHeadsOptions(0.5, 0.5, 512, 0.25, [10, 10, 5, 5], c.Double("score_thresh"), c.Double("nms"),
            c.Int("detections_per_img"), c.Double("min_size"), false, 1.0, 6);
        var processor = new BoxPostProcessor(options, new BoxCoder(10, 10, 5, 5));
        var rois = new[] { new BoxList(c.Tensor("proposals0"), new ImageSize(120, 150)), new BoxList(c.Tensor("proposals1"), new ImageSize(110, 140)) };
        var detections = processor.Process(c.Tensor("logits"), c.Tensor("deltas"), rois);
        for (int i = 0; i < 2; i++)
        {
            TensorAssert.Close(c.Tensor($"boxes{i}"), detections[i].Boxes, atol: 1e-4, what: $"boxes {i}");
            TensorAssert.Close(c.Tensor($"scores{i}"), detections[i].Field(BoxFields.Scores), what: $"scores {i}");
            TensorAssert.Equal(c.Tensor($"labels{i}"), detections[i].Field(BoxFields.Labels), what: $"labels {i}");
        }
    }
}
