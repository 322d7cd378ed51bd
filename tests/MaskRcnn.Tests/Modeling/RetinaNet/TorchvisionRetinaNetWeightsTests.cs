using MaskRcnn.Checkpoint;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.Config;
using MaskRcnn.Modeling;
using MaskRcnn.SafeTensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling.RetinaNet;

/// <summary>A torchvision retinanet_resnet50_fpn state dict (its 0.14 names and shapes, rule-generated values) loads
/// whole into the model of configs/torchvision/retinanet_resnet50_fpn.yaml: its FPN blocks numbered from C3 land on
/// our stage-numbered ones (<see cref="FpnLevelAlignment"/>), its head's towers and output layers by name.</summary>
public sealed class TorchvisionRetinaNetWeightsTests : IDisposable
{
    readonly TempDir dir = new();
    readonly string file;

    public TorchvisionRetinaNetWeightsTests()
    {
        file = Path.Combine(dir.Path, "retinanet_resnet50_fpn.safetensors");
        TorchvisionStateDicts.Write(file, "retinanet_resnet50_fpn");
    }

    public void Dispose() => dir.Dispose();

    [Fact]
    public void EveryTensorLoadsWhereTorchvisionsNameSays()
    {
        using var model = ModelBuilder.Build(ConfigLoader.Load(Path.Combine(TestPaths.Configs, "torchvision", "retinanet_resnet50_fpn.yaml"), ["MODEL.DEVICE", "cpu"]));
        var report = WeightLoader.LoadFile(model, file);
        Assert.True(report.Succeeded, report.Format());
        Assert.Equal(WeightScheme.Torchvision, report.Scheme);
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        Assert.Equal(model.state_dict().Count, report.Loaded.Count);
        var ours = model.state_dict();
        // torchvision's first FPN block reads C3: our fpn_inner2 / fpn_layer2; its last, C5: fpn_inner4.
        TensorAssert.Equal(ReferenceWeights.Values("backbone.fpn.inner_blocks.0.0.weight", [256, 512, 1, 1])!, ours["backbone.fpn.fpn_inner2.weight"]);
        TensorAssert.Equal(ReferenceWeights.Values("backbone.fpn.layer_blocks.2.0.bias", [256])!, ours["backbone.fpn.fpn_layer4.bias"]);
        TensorAssert.Equal(ReferenceWeights.Values("backbone.fpn.extra_blocks.p6.weight", [256, 256, 3, 3])!, ours["backbone.fpn.top_blocks.p6.weight"]);
        TensorAssert.Equal(ReferenceWeights.Values("head.classification_head.conv.3.0.weight", [256, 256, 3, 3])!, ours["rpn.head.cls_tower.6.weight"]);
        TensorAssert.Equal(ReferenceWeights.Values("head.regression_head.bbox_reg.bias", [36])!, ours["rpn.head.bbox_pred.bias"]);
    }

    [Fact]
    public void OurRetinaNetExportsUnderTorchvisionsNames()
    {
        using var model = ModelBuilder.Build(ConfigLoader.Load(Path.Combine(TestPaths.Configs, "torchvision", "retinanet_resnet50_fpn.yaml"), ["MODEL.DEVICE", "cpu"]));
        var ours = new StateDict();
        foreach (var (name, tensor) in model.state_dict()) ours.Add(name, tensor.clone());
        using var exported = TorchvisionExport.FromOurs("r.safetensors", ours);
        var torchvision = TorchvisionStateDicts.Names("retinanet_resnet50_fpn").ToDictionary(t => t.Name, t => t.Shape);
        // Names and shapes: what torchvision's strict load_state_dict checks.
        Assert.Equal(torchvision.Keys.Order(StringComparer.Ordinal), exported.Names.Order(StringComparer.Ordinal));
        Assert.All(exported, e => Assert.Equal(torchvision[e.Key], e.Value.shape));
        TensorAssert.Equal(model.state_dict()["backbone.fpn.fpn_inner2.weight"], exported["backbone.fpn.inner_blocks.0.0.weight"]);
    }

    [Fact]
    public void LevelsAreShiftedOnlyWhenTheyAreTheModelsShiftedWhole()
    {
        string[] model = ["backbone.fpn.fpn_inner2.weight", "backbone.fpn.fpn_inner3.weight", "backbone.fpn.fpn_layer2.weight", "backbone.fpn.fpn_layer3.weight"];
        var shifted = FpnLevelAlignment.Place(model, ["backbone.fpn.fpn_inner1.weight", "backbone.fpn.fpn_inner2.weight", "backbone.fpn.fpn_layer1.weight", "backbone.fpn.fpn_layer2.weight"]);
        Assert.Equal("backbone.fpn.fpn_inner1.weight", shifted["backbone.fpn.fpn_inner2.weight"]);
        Assert.Equal("backbone.fpn.fpn_layer2.weight", shifted["backbone.fpn.fpn_layer3.weight"]);
        Assert.Empty(FpnLevelAlignment.Place(model, model)); // same levels: names as they are
        Assert.Empty(FpnLevelAlignment.Place(model, ["backbone.fpn.fpn_inner1.weight", "backbone.fpn.fpn_inner2.weight", "backbone.fpn.fpn_inner3.weight"])); // 3 levels for 2
        Assert.Empty(FpnLevelAlignment.Place(model, ["backbone.fpn.fpn_inner3.weight", "backbone.fpn.fpn_inner4.weight"])); // higher: not a torchvision file
    }
}
