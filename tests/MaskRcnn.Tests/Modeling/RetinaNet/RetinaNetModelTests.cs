using MaskRcnn.Config;
using MaskRcnn.Modeling;
using MaskRcnn.Modeling.RetinaNet;
using MaskRcnn.Structures;
using MaskRcnn.Tests.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling.RetinaNet;

/// <summary>RetinaNet's structure against maskrcnn-benchmark's: names and shapes of the head, its initialisation, the
/// anchors of both conventions, and a forward pass.</summary>
[Collection(TrainingCollection.Name)]
public sealed class RetinaNetModelTests
{
    static MaskRcnnConfig Shipped(string name, params string[] overrides) =>
        ConfigLoader.Load(Path.Combine(TestPaths.RepoRoot, "configs", "retinanet", name), overrides);

    [Fact]
    public void HeadHasMaskRcnnBenchmarksNamesShapesAndInit()
    {
        using var model = ModelBuilder.Build(Shipped("retinanet_R-50-FPN_1x.yaml"));
        var retina = Assert.IsType<RetinaNetDetector>(model);
        var p = model.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        // NUM_CONVS 4: convolutions at 0, 2, 4, 6 with ReLUs between, as maskrcnn-benchmark's Sequential numbers them.
        foreach (var tower in new[] { "cls_tower", "bbox_tower" })
        {
            Assert.Equal([0, 2, 4, 6], p.Keys.Where(k => k.StartsWith($"rpn.head.{tower}.") && k.EndsWith(".weight"))
                .Select(k => int.Parse(k.Split('.')[3])).Order());
            Assert.Equal([256, 256, 3, 3], p[$"rpn.head.{tower}.0.weight"].shape);
        }
        Assert.Equal([9 * 80, 256, 3, 3], p["rpn.head.cls_logits.weight"].shape);
        Assert.Equal([9 * 4, 256, 3, 3], p["rpn.head.bbox_pred.weight"].shape);
        Assert.Equal([256, 2048, 3, 3], p["backbone.fpn.top_blocks.p6.weight"].shape); // USE_C5
        Assert.DoesNotContain(p.Keys, k => k.StartsWith("roi_heads") || k.Contains("fpn_inner1"));
        Assert.Equal(-Math.Log(99), p["rpn.head.cls_logits.bias"].mean().item<float>(), 5);
        Assert.Equal(0, p["rpn.head.bbox_pred.bias"].abs().max().item<float>());
        Assert.Equal(0.01, p["rpn.head.cls_tower.0.weight"].std().item<float>(), 3);
        Assert.Equal(81, model.NumClasses);
        Assert.True(model.IsClassSpecific("rpn.head.cls_logits.weight"));
        Assert.False(model.IsClassSpecific("rpn.head.bbox_pred.weight"));
        Assert.False(model.HasMasks);
        Assert.Equal(9, retina.Rpn.Anchors.AnchorsPerLocation);
    }

    [Fact]
    public void P5VariantTakesP6FromP5()
    {
        using var model = ModelBuilder.Build(Shipped("retinanet_R-50-FPN_P5_1x.yaml"));
        var p6 = model.named_parameters().Single(x => x.name == "backbone.fpn.top_blocks.p6.weight").parameter;
        Assert.Equal([256, 256, 3, 3], p6.shape);
    }

    [Fact]
    public void MaskRcnnBenchmarkAnchorsUseOctaveScales()
    {
        var anchors = RetinaNetAnchors.From(new MaskRcnnConfig().Model.RetinaNet, BoxConvention.MaskrcnnBenchmark);
        Assert.Equal(5, anchors.Levels);
        Assert.Equal(9, anchors.AnchorsPerLocation);
        // Stride 8, ratio 0.5: an 11×6 base box (rounded half to even) scaled by 32/8, centred at 3.5.
        Assert.Equal([-18f, -8f, 25f, 15f], anchors.CellAnchors(0)[0].data<float>().ToArray());
        // Second octave scale: 32·2^(1/3) = 40.3175…, widths 11·40.3175/8 = 55.436…
        var second = anchors.CellAnchors(0)[1].data<float>().ToArray();
        double w = 11 * 32 * Math.Pow(2, 1.0 / 3) / 8;
        Assert.Equal(3.5 - 0.5 * (w - 1), second[0], 4);
    }

    [Fact]
    public void TorchvisionAnchorsTruncateTheOctaveSizes()
    {
        var anchors = RetinaNetAnchors.From(new MaskRcnnConfig().Model.RetinaNet, BoxConvention.Torchvision);
        // torchvision: sizes (32, 40, 50); ratio 0.5 → w = size·√2, h = size/√2, halved and rounded.
        Assert.Equal([-23f, -11f, 23f, 11f], anchors.CellAnchors(0)[0].data<float>().ToArray());
        Assert.Equal([-28f, -14f, 28f, 14f], anchors.CellAnchors(0)[1].data<float>().ToArray());
        Assert.Equal([-35f, -18f, 35f, 18f], anchors.CellAnchors(0)[2].data<float>().ToArray());
    }

    [Fact]
    public void MismatchedAnchorLevelsNameTheKey()
    {
        var cfg = new MaskRcnnConfig();
        cfg.Model.RetinaNet.AnchorSizes = [32, 64];
        Assert.Equal("MODEL.RETINANET.ANCHOR_SIZES has 2 sizes for 5 ANCHOR_STRIDES (one size per level)",
            Assert.Throws<ConfigException>(() => RetinaNetAnchors.From(cfg.Model.RetinaNet, BoxConvention.MaskrcnnBenchmark)).Message);
    }

    [Fact]
    public void ExportToTorchvisionNamesIsRefused()
    {
        // Its FPN (levels from P3) and head names would come out as Mask R-CNN's: refused rather than mislabelled.
        using var weights = new MaskRcnn.SafeTensors.StateDict();
        weights.Add("backbone.fpn.fpn_inner2.weight", torch.zeros(2, 2, 1, 1));
        weights.Add("rpn.head.cls_tower.0.weight", torch.zeros(2, 2, 3, 3));
        var e = Assert.Throws<MaskRcnn.Checkpoint.Naming.WeightFileException>(() => MaskRcnn.Checkpoint.Naming.TorchvisionExport.FromOurs("r.safetensors", weights));
        Assert.Equal("r.safetensors: RetinaNet weights do not export to torchvision's names yet (only R-50-FPN Mask/Faster/Keypoint R-CNN without GroupNorm exports)", e.Message);
    }

    [Fact]
    public void MasksAreRefused()
    {
        var e = Assert.Throws<ConfigException>(() => Shipped("retinanet_R-50-FPN_1x.yaml", "MODEL.MASK_ON", "True"));
        Assert.EndsWith("MODEL.MASK_ON: RetinaNet predicts boxes only (maskrcnn-benchmark silently ignores MASK_ON with RETINANET_ON)", e.Message);
    }

    [Fact]
    public void DetectsBoxesWithForegroundLabelsInOriginalCoordinates()
    {
        torch.manual_seed(3);
        using var model = ModelBuilder.Build(Shipped("retinanet_R-50-FPN_1x.yaml", "MODEL.RETINANET.NUM_CLASSES", "4",
            "MODEL.RETINANET.INFERENCE_TH", "0.0", "TEST.DETECTIONS_PER_IMG", "20", "MODEL.RETINANET.NUM_CONVS", "1"));
        model.PrepareForInference();
        var images = new ImageList(torch.randn(1, 3, 64, 96), [new ImageSize(64, 96)]);
        var detections = model.Detect(images, [new ImageSize(128, 192)]);
        var d = Assert.Single(detections);
        Assert.Equal(20, d.Count);
        Assert.Equal(new ImageSize(128, 192), d.Size);
        var labels = d.Field(BoxFields.Labels).data<long>().ToArray();
        Assert.All(labels, l => Assert.InRange(l, 1, 3));
        Assert.True(d.Boxes.max().item<float>() <= 192);
        var scores = d.Field(BoxFields.Scores).data<float>().ToArray();
        Assert.Equal(scores.OrderDescending(), scores);
    }

    [Theory]
    [InlineData("retinanet_R-50-FPN_1x.yaml", 0)]
    [InlineData("retinanet_R-50-FPN_1x_quick.yaml", 0)]
    [InlineData("retinanet_R-50-FPN_P5_1x.yaml", 0)]
    [InlineData("retinanet_R-101-FPN_1x.yaml", 0)]
    [InlineData("retinanet_R-101-FPN_P5_1x.yaml", 0)]
    [InlineData("retinanet_X_101_32x8d_FPN_1x.yaml", 32)]
    public void EveryShippedRetinaNetConfigBuilds(string file, int groups)
    {
        var cfg = Shipped(file);
        using var model = ModelBuilder.Build(cfg);
        var retina = Assert.IsType<RetinaNetDetector>(model);
        Assert.Equal([8, 16, 32, 64, 128], retina.Backbone.Strides);
        Assert.Equal(cfg.Model.RetinaNet.NumClasses, model.NumClasses);
        // ResNeXt 32×8d: layer1's 3×3 convolution has 256 channels in 32 groups of 8.
        var conv2 = model.named_parameters().Single(p => p.name == "backbone.body.layer1.0.conv2.weight").parameter;
        Assert.Equal(groups > 0 ? 256 / groups : 64, conv2.shape[1]);
    }
}
