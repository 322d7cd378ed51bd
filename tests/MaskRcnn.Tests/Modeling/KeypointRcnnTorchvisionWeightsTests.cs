using System.Text.Json;
using MaskRcnn.Checkpoint;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.Config;
using MaskRcnn.Modeling;
using MaskRcnn.SafeTensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling;

/// <summary>A torchvision keypointrcnn_resnet50_fpn state dict (torchvision 0.14's names and shapes) loads into the
/// model built from configs/torchvision/keypointrcnn_resnet50_fpn.yaml, and the model's weights export back under
/// exactly those names.</summary>
public sealed class KeypointRcnnTorchvisionWeightsTests
{
    static nn.Module Model() => ModelBuilder.Build(ConfigLoader.Load(
        Path.Combine(TestPaths.RepoRoot, "configs", "torchvision", "keypointrcnn_resnet50_fpn.yaml"), ["MODEL.DEVICE", "cpu"]));

    [Fact]
    public void EveryTensorLoadsByTorchvisionNameAndExportsBackUnderIt()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "keypointrcnn_resnet50_fpn.safetensors");
        var tensors = TorchvisionStateDicts.Names("keypointrcnn_resnet50_fpn");
        TorchvisionStateDicts.Write(path, "keypointrcnn_resnet50_fpn");

        var model = Model();
        var report = WeightLoader.LoadFile(model, path);
        Assert.True(report.Succeeded, report.Format());
        Assert.Equal(WeightScheme.Torchvision, report.Scheme);
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        Assert.Equal(model.state_dict().Count, report.Loaded.Count);
        // The last conv of torchvision's Sequential (entry 14) is our conv_fcn8; the deconv keeps its name.
        TensorAssert.Equal(ReferenceWeights.Values("roi_heads.keypoint_head.14.weight", [512, 512, 3, 3])!,
            model.state_dict()["roi_heads.keypoint.feature_extractor.conv_fcn8.weight"]);
        TensorAssert.Equal(ReferenceWeights.Values("roi_heads.keypoint_predictor.kps_score_lowres.weight", [512, 17, 4, 4])!,
            model.state_dict()["roi_heads.keypoint.predictor.kps_score_lowres.weight"]);

        using var ours = new StateDict();
        foreach (var (name, tensor) in model.state_dict()) ours.Add(name, tensor.detach().clone());
        using var exported = TorchvisionExport.FromOurs(path, ours);
        Assert.Equal(tensors.Select(t => t.Name).Order(StringComparer.Ordinal), exported.Names.Order(StringComparer.Ordinal));
        foreach (var (name, shape) in tensors) Assert.Equal(shape, exported[name].shape);
    }
}
