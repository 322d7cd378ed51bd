using MaskRcnn.Checkpoint;
using MaskRcnn.Config;
using MaskRcnn.Modeling;
using MaskRcnn.Tests.WeightFiles;
using MaskRcnn.WeightFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Checkpoint;

/// <summary>
/// ImageNet classification files (torchvision's resnet*.pth) initialise a detector's backbone body and nothing else:
/// each body tensor equals the file's tensor of the same layer, every other tensor keeps its initialisation, and the
/// classifier is ignored. C4 models get ResNet's last stage in their RoI head.
/// </summary>
public class BackboneWeightsTests
{
    static string Reference(string file) => Path.Combine(TestPaths.Configs, file);

    static Dictionary<string, Tensor> Snapshot(nn.Module model) =>
        model.state_dict().ToDictionary(e => e.Key, e => e.Value.detach().clone());

    // torchvision's ImageNet names → ours, derived by hand: the stem moves under body.stem, stages keep their names.
    static string OurBodyName(string torchvisionName) =>
        torchvisionName.StartsWith("conv1.", StringComparison.Ordinal) || torchvisionName.StartsWith("bn1.", StringComparison.Ordinal)
            ? "backbone.body.stem." + torchvisionName
            : "backbone.body." + torchvisionName;

    static void AssertBodyFromFileRestFresh(nn.Module model, Dictionary<string, Tensor> before, string file, LoadReport report,
        Func<string, string> ourName)
    {
        using var tensors = WeightFile.ReadAll(file);
        var fromFile = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (name.StartsWith("fc.", StringComparison.Ordinal) || name.EndsWith("num_batches_tracked", StringComparison.Ordinal)) continue;
            var ours = ourName(name);
            Assert.True(WeightFileFormatTests.Same(tensor, model.state_dict()[ours]), ours);
            fromFile.Add(ours);
        }
        foreach (var (name, value) in model.state_dict())
            if (!fromFile.Contains(name)) Assert.True(WeightFileFormatTests.Same(before[name], value), $"{name} changed");
        Assert.True(report.BodyOnly);
        Assert.Equal(fromFile.Order(StringComparer.Ordinal), report.Loaded.Order(StringComparer.Ordinal));
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        Assert.Contains(report.Ignored, i => i.Source == "fc.weight" && i.Reason == "ImageNet classifier, not part of a detector");
    }

    [Fact]
    public void ATorchvisionResNet50FileInitialisesTheBodyOfR50FpnAndLeavesTheRestFresh()
    {
        var cfg = ConfigLoader.Load(Reference("e2e_mask_rcnn_R_50_FPN_1x.yaml"), ["MODEL.DEVICE", "cpu", "MODEL.WEIGHT", ""]);
        using var model = ModelBuilder.Build(cfg);
        var before = Snapshot(model);
        var file = WeightFileFormatTests.Fixture("resnet50_imagenet.pth");
        var report = WeightLoader.LoadFile(model, file);
        Assert.Equal(MaskRcnn.Checkpoint.Naming.WeightScheme.Torchvision, report.Scheme);
        AssertBodyFromFileRestFresh(model, before, file, report, OurBodyName);
        Assert.Contains("backbone.fpn.fpn_inner1.weight", report.LeftInitialised);
        Assert.Contains("roi_heads.mask.predictor.mask_fcn_logits.weight", report.LeftInitialised);
        Assert.StartsWith($"{file} holds only a backbone body (", report.Warnings.First());
    }

    [Fact]
    public void AC4ModelGetsTheLastStageInItsBoxHead()
    {
        var cfg = ConfigLoader.Load(Reference("e2e_faster_rcnn_R_50_C4_1x.yaml"), ["MODEL.DEVICE", "cpu", "MODEL.WEIGHT", "",
            "MODEL.RESNETS.STEM_OUT_CHANNELS", "8", "MODEL.RESNETS.RES2_OUT_CHANNELS", "16", "MODEL.RESNETS.WIDTH_PER_GROUP", "2",
            "MODEL.RESNETS.BACKBONE_OUT_CHANNELS", "64"]);
        using var model = ModelBuilder.Build(cfg);
        Assert.DoesNotContain(model.state_dict().Keys, n => n.StartsWith("backbone.body.layer4.", StringComparison.Ordinal));
        var before = Snapshot(model);
        var file = WeightFileFormatTests.Fixture("tiny_r50_torchvision.pth");
        var report = WeightLoader.LoadFile(model, file);
        AssertBodyFromFileRestFresh(model, before, file, report, name => name.StartsWith("layer4.", StringComparison.Ordinal)
            ? "roi_heads.box.feature_extractor.head." + name
            : OurBodyName(name));
    }

    [Fact]
    public void ABodyFileMissingABodyTensorIsAnErrorNamingIt()
    {
        var cfg = ConfigLoader.Load(Reference("e2e_mask_rcnn_R_50_FPN_1x.yaml"), ["MODEL.DEVICE", "cpu", "MODEL.WEIGHT", "",
            "MODEL.RESNETS.STEM_OUT_CHANNELS", "8", "MODEL.RESNETS.RES2_OUT_CHANNELS", "16", "MODEL.RESNETS.WIDTH_PER_GROUP", "2"]);
        using var model = ModelBuilder.Build(cfg);
        var before = Snapshot(model);
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "partial.safetensors");
        using (var tensors = WeightFile.ReadAll(WeightFileFormatTests.Fixture("tiny_r50_torchvision.pth")))
            MaskRcnn.SafeTensors.SafeTensorsWriter.Write(path, tensors.Where(t => t.Key != "layer2.0.conv2.weight"));
        var e = Assert.Throws<WeightLoadException>(() => WeightLoader.LoadFile(model, path));
        Assert.Contains("1 missing (backbone.body.layer2.0.conv2.weight)", e.Message);
        foreach (var (name, value) in model.state_dict()) Assert.True(WeightFileFormatTests.Same(before[name], value), $"{name} changed");
    }

    [Fact]
    public void DetectronsCaffe2PklLoadsLikeTheSameWeightsUnderTorchvisionNames()
    {
        // tiny_R-50.pkl holds the folded scale/bias of tiny_r50_torchvision.pth's batch norms, whose statistics are 0 and 1.
        var cfg = ConfigLoader.Load(Reference("e2e_mask_rcnn_R_50_FPN_1x.yaml"), ["MODEL.DEVICE", "cpu", "MODEL.WEIGHT", "",
            "MODEL.RESNETS.STEM_OUT_CHANNELS", "8", "MODEL.RESNETS.RES2_OUT_CHANNELS", "16", "MODEL.RESNETS.WIDTH_PER_GROUP", "2"]);
        using var fromTorchvision = ModelBuilder.Build(cfg);
        using var fromCaffe2 = ModelBuilder.Build(cfg);
        WeightLoader.LoadFile(fromTorchvision, WeightFileFormatTests.Fixture("tiny_r50_torchvision.pth"));
        using (torch.no_grad())
            foreach (var (name, value) in fromCaffe2.state_dict())
                if (name.EndsWith("running_mean", StringComparison.Ordinal) || name.EndsWith("running_var", StringComparison.Ordinal)) value.fill_(7);
        var before = Snapshot(fromCaffe2);
        var report = WeightLoader.LoadFile(fromCaffe2, WeightFileFormatTests.Fixture("tiny_R-50.pkl"));
        Assert.Equal(MaskRcnn.Checkpoint.Naming.WeightScheme.Caffe2, report.Scheme);
        Assert.True(report.BodyOnly);
        Assert.Empty(report.Missing);
        Assert.Contains("backbone.body.layer3.5.bn2.running_var", report.Filled);
        Assert.Equal(2 * (1 + 3 * 16 + 4), report.Filled.Count); // stem, three norms per block (16 blocks), four downsample norms
        var caffe2 = fromCaffe2.state_dict();
        // The body equals the torchvision-named load (statistics included), the rest is untouched.
        foreach (var (name, value) in caffe2)
            Assert.True(WeightFileFormatTests.Same(value, name.StartsWith("backbone.body.", StringComparison.Ordinal) ? fromTorchvision.state_dict()[name] : before[name]), name);
    }
}
