using MaskRcnn.Config;
using MaskRcnn.Modeling;
using MaskRcnn.Modeling.Yolact;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling.Yolact;

public sealed class YolactModelTests
{
    internal static MaskRcnnConfig Config(string body = "R-18-FPN", int numClasses = 5, bool gn = false, params string[] overrides)
    {
        var cfg = new MaskRcnnConfig();
        ConfigLoader.ApplyOverrides(cfg, [
            "MODEL.META_ARCHITECTURE", "YOLACT", "MODEL.DEVICE", "cpu", "MODEL.BACKBONE.CONV_BODY", body,
            "MODEL.RESNETS.STRIDE_IN_1X1", "False", "MODEL.YOLACT.NUM_CLASSES", numClasses.ToString(),
            "MODEL.YOLACT.FPN_CHANNELS", "32", "MODEL.YOLACT.PROTO_CHANNELS", "32", "MODEL.YOLACT.HEAD_CHANNELS", "32",
            "MODEL.YOLACT.NUM_PROTOTYPES", "8", "MODEL.YOLACT.USE_GN", gn ? "True" : "False", .. overrides]);
        return cfg;
    }

    [Fact]
    public void BuildsFromTheRegistryWithTheDocumentedNames()
    {
        using var model = (YolactModel)ModelBuilder.Build(Config());
        var names = model.state_dict().Keys.ToList();
        string[] expected = ["backbone.body.stem.conv1.weight", "backbone.body.layer4.1.bn2.running_var",
            "backbone.fpn.fpn_inner1.weight", "backbone.fpn.fpn_inner3.bias", "backbone.fpn.fpn_layer2.weight",
            "backbone.fpn.top_blocks.p6.weight", "backbone.fpn.top_blocks.p7.bias",
            "proto_net.conv1.weight", "proto_net.conv4.bias", "proto_net.prototypes.weight",
            "head.upfeature.weight", "head.bbox_pred.weight", "head.cls_logits.bias", "head.coeff_pred.weight",
            "semantic_seg_conv.weight"];
        foreach (var name in expected) Assert.Contains(name, names);
        Assert.DoesNotContain(names, n => n.Contains("num_batches_tracked"));
        // The body's layer1 output (C2) has no lateral: 3 laterals only.
        Assert.DoesNotContain("backbone.fpn.fpn_inner4.weight", names);
        Assert.Equal([3 * 5, 32, 3, 3], model.state_dict()["head.cls_logits.weight"].shape);
        Assert.Equal([3 * 8, 32, 3, 3], model.state_dict()["head.coeff_pred.weight"].shape);
        Assert.Equal([4, 32, 1, 1], model.state_dict()["semantic_seg_conv.weight"].shape);
        Assert.True(model.IsClassSpecific("head.cls_logits.weight"));
        Assert.False(model.IsClassSpecific("head.coeff_pred.weight"));
    }

    [Fact]
    public void GroupNormConvolutionsAreNamedLikeMaskRcnnBenchmarks()
    {
        using var model = ModelBuilder.Build(Config(gn: true, overrides: ["MODEL.GROUP_NORM.NUM_GROUPS", "8", "MODEL.GROUP_NORM.DIM_PER_GP", "-1"]));
        var names = model.state_dict().Keys.ToHashSet();
        Assert.Contains("backbone.fpn.fpn_layer1.0.weight", names);
        Assert.Contains("backbone.fpn.fpn_layer1.1.bias", names);
        Assert.DoesNotContain("backbone.fpn.fpn_layer1.0.bias", names);
        Assert.Contains("proto_net.conv2.1.weight", names);
        Assert.Contains("head.upfeature.1.weight", names);
        Assert.Contains("proto_net.prototypes.weight", names);
    }

    [Fact]
    public void PredictionsHaveOneRowPerAnchorAndPrototypesAtAQuarterOfTheInput()
    {
        using var model = (YolactModel)ModelBuilder.Build(Config());
        model.eval();
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        var p = model.Predict(torch.rand(2, 3, 160, 160));
        // 160 → P3 20, P4 10, P5 5, P6 3, P7 2; 3 anchors per cell.
        long anchors = (400 + 100 + 25 + 9 + 4) * 3;
        Assert.Equal([2, anchors, 4], p.Loc.shape);
        Assert.Equal([2, anchors, 5], p.Conf.shape);
        Assert.Equal([2, anchors, 8], p.Coeffs.shape);
        Assert.Equal([anchors, 4], p.Priors.shape);
        Assert.Equal([2, 40, 40, 8], p.Prototypes.shape);
        Assert.Null(p.Semantic);
        Assert.True(p.Coeffs.abs().max().item<float>() <= 1f);
        Assert.True(p.Prototypes.min().item<float>() >= 0f);
    }

    [Fact]
    public void DetectionsCarryFullSizeMasksOfTheOriginalImage()
    {
        using var model = ModelBuilder.Build(Config(overrides: ["MODEL.YOLACT.DETECTIONS_PER_IMG", "7"]));
        model.PrepareForInference();
        using var scope = torch.NewDisposeScope();
        using var _ = torch.no_grad();
        // Two inputs padded to 160x192 from 150x180 and 160x192, originals 300x360 and 80x96.
        var images = ImageList.FromImages([torch.rand(3, 150, 180), torch.rand(3, 160, 192)], sizeDivisibility: 32);
        var detections = model.Detect(images, [new ImageSize(300, 360), new ImageSize(80, 96)]);
        Assert.Equal(2, detections.Count);
        foreach (var (d, size) in detections.Zip(new[] { new ImageSize(300, 360), new ImageSize(80, 96) }))
        {
            Assert.Equal(size, d.Size);
            Assert.InRange(d.Count, 1, 7);
            var masks = d.Field<BitMasks>(BoxFields.Masks);
            Assert.Equal([d.Count, size.Height, size.Width], masks.Tensor.shape);
            var scores = d.Field(BoxFields.Scores).data<float>().ToArray();
            Assert.Equal(scores.OrderByDescending(s => s), scores);
            var labels = d.Field(BoxFields.Labels).data<long>().ToArray();
            Assert.All(labels, l => Assert.InRange(l, 1, 4));
            Assert.True(d.Boxes[.., 2].max().item<float>() <= size.Width && d.Boxes[.., 3].max().item<float>() <= size.Height);
            Assert.True(d.Boxes.min().item<float>() >= 0);
        }
    }
}
