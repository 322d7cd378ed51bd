using MaskRcnn.Checkpoint;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.SafeTensors;
using MaskRcnn.Tests.Checkpoint;
using TorchSharp;
using static TorchSharp.torch;
using static MaskRcnn.Tests.Cli.CliRun;

namespace MaskRcnn.Tests.Cli;

/// <summary><c>maskrcnn convert</c> end to end through the command line.</summary>
public class ConvertCommandTests
{
    /// <summary>A torchvision-named file (0.14 names, counters, one name of a v2 model) with <see cref="CheckpointTestModel"/>'s values.</summary>
    static string TorchvisionFile(TempDir dir, StateDict ours)
    {
        var path = Path.Combine(dir.Path, "tv.safetensors");
        var named = ours.Select(e => new KeyValuePair<string, Tensor>(TorchvisionNames.FromOurs(e.Key)!, e.Value))
            .Append(new("backbone.body.bn1.num_batches_tracked", torch.tensor(0L)))
            .Append(new("rpn.head.conv.1.0.weight", torch.ones(2)));
        SafeTensorsWriter.Write(path, named, new Dictionary<string, string> { ["format"] = "pt" });
        return path;
    }

    [Fact]
    public void TorchvisionToOursAndBack()
    {
        using var dir = new TempDir();
        using var ours = CheckpointTestModel.Weights();
        var torchvision = TorchvisionFile(dir, ours);
        var converted = Path.Combine(dir.Path, "ours.safetensors");

        var (code, output, err) = Run("convert", "--input", torchvision, "--output", converted);
        Assert.Equal((2, ""), (code, output));
        Assert.Equal($"maskrcnn: error: {torchvision}: 1 of 17 names are not torchvision names this tool maps: rpn.head.conv.1.0.weight; " +
            "nothing written (--allow-unknown writes the rest)\n", err);
        Assert.False(File.Exists(converted));

        (code, output, err) = Run("convert", "--input", torchvision, "--output", converted, "--allow-unknown");
        Assert.Equal("", err);
        Assert.Equal(0, code);
        Assert.StartsWith($"converted {torchvision} (torchvision names) -> {converted} (maskrcnn names)\n", output);
        Assert.Contains("  tensors in the input      17\n", output);
        Assert.Contains("  renamed to ours           11\n", output);
        Assert.Contains("  same name as ours          4\n", output);
        Assert.Contains("  ignored                    1\n", output);
        Assert.Contains("  unknown, not written       1\n", output);
        Assert.Contains("  tensors written           15\n", output);
        Assert.Contains("\n  backbone.body.conv1.weight -> backbone.body.stem.conv1.weight\n", output);
        Assert.Contains("\n  rpn.head.conv.0.0.bias -> rpn.head.conv.bias\n", output);
        Assert.Contains("ignored:\n  backbone.body.bn1.num_batches_tracked (BatchNorm step counter, unused by frozen BatchNorm)\n", output);
        Assert.Contains("unknown, not written:\n  rpn.head.conv.1.0.weight\n", output);
        Assert.Contains("note: torchvision's ResNet strides in its 3x3 convolutions", output);

        using (var model = CheckpointTestModel.Build())
        using (var checkpoint = CheckpointFile.Load(converted, model))
        {
            foreach (var (name, tensor) in ours) TensorAssert.Equal(tensor, model.state_dict()[name], name);
            using var raw = SafeTensorsFile.Open(converted);
            Assert.Equal("torchvision", raw.Metadata["converted_from"]);
        }

        var back = Path.Combine(dir.Path, "back.safetensors");
        (code, output, err) = Run("convert", "--to", "torchvision", "--input", converted, "--output", back);
        Assert.Equal("", err);
        Assert.Equal(0, code);
        Assert.Contains("(maskrcnn names) -> ", output);
        Assert.Contains("\n  backbone.body.stem.conv1.weight -> backbone.body.conv1.weight\n", output);
        Assert.Contains("added:\n  backbone.body.bn1.num_batches_tracked = 0\n  backbone.body.layer1.0.bn1.num_batches_tracked = 0\n", output);
        Assert.DoesNotContain("note:", output);
        using var exported = SafeTensorsFile.Load(back);
        Assert.Equal("pt", exported.Metadata["format"]);
        Assert.Equal(17, exported.Count);
        foreach (var (name, tensor) in ours) TensorAssert.Equal(tensor, exported[TorchvisionNames.FromOurs(name)!], name);
        Assert.Equal(ScalarType.Int64, exported["backbone.body.layer1.0.bn1.num_batches_tracked"].dtype);
    }

    /// <summary>
    /// A dbolya/yolact-named file, one tensor of a distinct value per layer kind the map knows, plus what the reference
    /// itself drops (a counter, a v1.0 level beyond P7) and what only YOLACT++ has (the mask IoU net).
    /// </summary>
    static (string Path, Dictionary<string, string> OursOf) YolactFile(TempDir dir)
    {
        var oursOf = new Dictionary<string, string>
        {
            ["backbone.conv1.weight"] = "backbone.body.stem.conv1.weight",
            ["backbone.bn1.running_var"] = "backbone.body.stem.bn1.running_var",
            ["backbone.layers.3.2.downsample.1.bias"] = "backbone.body.layer4.2.downsample.1.bias",
            ["fpn.lat_layers.0.weight"] = "backbone.fpn.fpn_inner3.weight",
            ["fpn.pred_layers.2.bias"] = "backbone.fpn.fpn_layer1.bias",
            ["fpn.downsample_layers.1.weight"] = "backbone.fpn.top_blocks.p7.weight",
            ["proto_net.8.weight"] = "proto_net.conv4.weight",
            ["proto_net.10.bias"] = "proto_net.prototypes.bias",
            ["prediction_layers.0.upfeature.0.weight"] = "head.upfeature.weight",
            ["prediction_layers.0.conf_layer.weight"] = "head.cls_logits.weight",
            ["semantic_seg_conv.bias"] = "semantic_seg_conv.bias",
        };
        var path = Path.Combine(dir.Path, "yolact.safetensors");
        var named = oursOf.Keys.Select((name, i) => new KeyValuePair<string, Tensor>(name, torch.full([2, 3], i + 1.5f)))
            .Append(new("backbone.bn1.num_batches_tracked", torch.tensor(7L)))
            .Append(new("fpn.downsample_layers.2.weight", torch.ones(2)))
            .Append(new("maskiou_net.maskiou_net.0.weight", torch.ones(2))).ToList();
        SafeTensorsWriter.Write(path, named);
        foreach (var (_, tensor) in named) tensor.Dispose();
        return (path, oursOf);
    }

    [Fact]
    public void YolactToOursAndBack()
    {
        using var dir = new TempDir();
        var (reference, oursOf) = YolactFile(dir);
        var converted = Path.Combine(dir.Path, "ours.safetensors");

        var (code, output, err) = Run("convert", "--input", reference, "--output", converted);
        Assert.Equal((2, ""), (code, output));
        Assert.Equal($"maskrcnn: error: {reference}: 1 of 14 names are not yolact names this tool maps: maskiou_net.maskiou_net.0.weight; " +
            "nothing written (--allow-unknown writes the rest)\n", err);
        Assert.False(File.Exists(converted));

        (code, output, err) = Run("convert", "--input", reference, "--output", converted, "--allow-unknown");
        Assert.Equal((0, ""), (code, err));
        Assert.StartsWith($"converted {reference} (yolact names) -> {converted} (maskrcnn names)\n", output);
        Assert.Contains("  tensors in the input      14\n", output);
        Assert.Contains("  renamed to ours           10\n", output);
        Assert.Contains("  same name as ours          1\n", output);
        Assert.Contains("  ignored                    2\n", output);
        Assert.Contains("  unknown, not written       1\n", output);
        Assert.Contains("  tensors written           11\n", output);
        Assert.Contains("\n  fpn.lat_layers.0.weight -> backbone.fpn.fpn_inner3.weight\n", output);
        Assert.Contains("\n  proto_net.10.bias -> proto_net.prototypes.bias\n", output);
        Assert.Contains("ignored:\n  backbone.bn1.num_batches_tracked (BatchNorm step counter, unused by frozen BatchNorm)\n" +
            "  fpn.downsample_layers.2.weight (FPN level beyond P7 (v1.0 weights), dropped by the reference's load_weights too)\n", output);
        Assert.Contains("unknown, not written:\n  maskiou_net.maskiou_net.0.weight\n", output);
        Assert.Contains($"note: {WeightConversion.YolactConfigNote}\n", output);

        using (var ours = SafeTensorsFile.Load(converted))
        {
            Assert.Equal("yolact", ours.Metadata["converted_from"]);
            Assert.Equal(oursOf.Values.Order(), ours.Names.Order());
            using var original = SafeTensorsFile.Load(reference);
            foreach (var (name, our) in oursOf) TensorAssert.Equal(original[name], ours[our], name);
        }

        var back = Path.Combine(dir.Path, "back.safetensors");
        (code, output, err) = Run("convert", "--to", "yolact", "--input", converted, "--output", back);
        Assert.Equal((0, ""), (code, err));
        Assert.StartsWith($"converted {converted} (maskrcnn names) -> {back} (yolact names)\n", output);
        Assert.Contains("\n  renamed to yolact's             10\n  added (BatchNorm counters)       1\n  tensors written                 12\n", output);
        Assert.Contains("\n  backbone.fpn.fpn_inner3.weight -> fpn.lat_layers.0.weight\n", output);
        Assert.Contains("added:\n  backbone.bn1.num_batches_tracked = 0\n", output);
        Assert.DoesNotContain("note:", output);
        using var exported = SafeTensorsFile.Load(back);
        using var input = SafeTensorsFile.Load(reference);
        Assert.Equal(oursOf.Keys.Append("backbone.bn1.num_batches_tracked").Order(), exported.Names.Order());
        foreach (var name in oursOf.Keys) TensorAssert.Equal(input[name], exported[name], name);
        Assert.Equal(0L, exported["backbone.bn1.num_batches_tracked"].item<long>());
        Assert.Equal("pt", exported.Metadata["format"]);
    }

    [Fact]
    public void YolactExportRefusesAGroupNormModel()
    {
        using var dir = new TempDir();
        var input = Path.Combine(dir.Path, "gn.safetensors");
        using (var w = torch.ones(1))
            SafeTensorsWriter.Write(input, [new("backbone.fpn.fpn_layer1.0.weight", w), new("backbone.fpn.fpn_layer1.1.weight", w), new("head.bbox_pred.weight", w)]);
        var output = Path.Combine(dir.Path, "o.safetensors");
        var (code, _, err) = Run("convert", "--to", "yolact", "--input", input, "--output", output);
        Assert.Equal(2, code);
        Assert.Equal($"maskrcnn: error: {input}: dbolya/yolact's model has no counterpart for 2 weight(s): backbone.fpn.fpn_layer1.0.weight, " +
            "backbone.fpn.fpn_layer1.1.weight (only YOLACT with a BatchNorm ResNet and without MODEL.YOLACT.USE_GN exports)\n", err);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void MaskRcnnBenchmarkCheckpointIsDetected()
    {
        using var dir = new TempDir();
        var output = Path.Combine(dir.Path, "ours.safetensors");
        var (code, text, err) = Run("convert", "--from", "auto", "-i", TestPaths.Fixture("checkpoint/maskrcnn_benchmark_checkpoint.safetensors"), "-o", output);
        Assert.Equal((0, ""), (code, err));
        Assert.Contains("(maskrcnn-benchmark names)", text);
        Assert.Contains("\n  module.rpn.head.conv.weight -> rpn.head.conv.weight\n", text);
        Assert.Contains("\n  module.rpn.anchor_generator.cell_anchors.0 (anchor buffer, recomputed from the config)\n", text);
        using var model = CheckpointTestModel.Build();
        using var checkpoint = CheckpointFile.Load(output, model);
        Assert.Equal(15, checkpoint.Report.Loaded.Count);
    }

    [Fact]
    public void APthCheckpointConvertsWithoutPythonToTheSameFileAsItsSafetensorsCopy()
    {
        using var dir = new TempDir();
        var fromPth = Path.Combine(dir.Path, "from_pth.safetensors");
        var fromSafetensors = Path.Combine(dir.Path, "from_safetensors.safetensors");
        var (code, text, err) = Run("convert", "-i", TestPaths.Fixture("checkpoint/maskrcnn_benchmark_checkpoint.pth"), "-o", fromPth);
        Assert.Equal((0, ""), (code, err));
        Assert.Contains("(maskrcnn-benchmark names)", text);
        Assert.Equal(0, Run("convert", "-i", TestPaths.Fixture("checkpoint/maskrcnn_benchmark_checkpoint.safetensors"), "-o", fromSafetensors).Code);
        using var a = SafeTensorsFile.Load(fromPth);
        using var b = SafeTensorsFile.Load(fromSafetensors);
        Assert.Equal(b.Names.Order(StringComparer.Ordinal), a.Names.Order(StringComparer.Ordinal));
        foreach (var (name, tensor) in b) Assert.True(WeightFiles.WeightFileFormatTests.Same(tensor, a[name]), name);
    }

    [Fact]
    public void DetectronsR50PklConvertsToACompleteBodyCheckpoint()
    {
        using var dir = new TempDir();
        var output = Path.Combine(dir.Path, "R-50.safetensors");
        var (code, text, err) = Run("convert", "-i", WeightFiles.WeightFileFormatTests.Fixture("tiny_R-50.pkl"), "-o", output);
        Assert.Equal((0, ""), (code, err));
        Assert.Contains("(caffe2 names)", text);
        var cfg = MaskRcnn.Config.ConfigLoader.Load(Path.Combine(TestPaths.Configs, "e2e_mask_rcnn_R_50_FPN_1x.yaml"), ["MODEL.DEVICE", "cpu", "MODEL.WEIGHT", "",
            "MODEL.RESNETS.STEM_OUT_CHANNELS", "8", "MODEL.RESNETS.RES2_OUT_CHANNELS", "16", "MODEL.RESNETS.WIDTH_PER_GROUP", "2"]);
        using var converted = MaskRcnn.Modeling.ModelBuilder.Build(cfg);
        using var direct = MaskRcnn.Modeling.ModelBuilder.Build(cfg);
        var report = WeightLoader.LoadFile(converted, output);
        Assert.True(report.BodyOnly);
        Assert.Empty(report.Filled); // the statistics are in the converted file
        WeightLoader.LoadFile(direct, WeightFiles.WeightFileFormatTests.Fixture("tiny_r50_torchvision.pth"));
        foreach (var (name, value) in direct.state_dict().Where(e => e.Key.StartsWith("backbone.body.", StringComparison.Ordinal)))
            Assert.True(WeightFiles.WeightFileFormatTests.Same(value, converted.state_dict()[name]), name);
    }

    [Fact]
    public void UsageErrorsExitWith2AndFailuresWith1()
    {
        using var dir = new TempDir();
        var output = Path.Combine(dir.Path, "out.safetensors");
        Assert.Equal(2, Run("convert", "--input", "x.safetensors").Code); // no --output
        Assert.Equal(2, Run("convert", "--from", "caffe2", "--input", "x", "--output", output).Code);
        Assert.Equal(2, Run("convert", "--to", "maskrcnn-benchmark", "--input", "x", "--output", output).Code);
        var (missing, _, missingErr) = Run("convert", "--input", Path.Combine(dir.Path, "nope.safetensors"), "--output", output);
        Assert.Equal(2, missing);
        Assert.Equal($"maskrcnn: error: --input {Path.Combine(dir.Path, "nope.safetensors")}: no such file\n", missingErr);

        var corrupt = dir.File("corrupt.safetensors", "not a safetensors file at all");
        var (code, _, err) = Run("convert", "--input", corrupt, "--output", output);
        Assert.Equal(2, code);
        Assert.StartsWith($"maskrcnn: error: {corrupt}: header length ", err);
        Assert.Single(err.TrimEnd('\n').Split('\n'));

        var unknown = Path.Combine(dir.Path, "resnet.safetensors");
        using (var w = torch.ones(1)) SafeTensorsWriter.Write(unknown, [new("encoder.conv1.weight", w)]);
        (code, _, err) = Run("convert", "--input", unknown, "--output", output);
        Assert.Equal(2, code);
        Assert.Contains("names are neither torchvision's", err);
        (code, _, err) = Run("convert", "--from", "torchvision", "--input", unknown, "--output", output, "--allow-unknown");
        Assert.Equal(2, code);
        Assert.Equal($"maskrcnn: error: {unknown}: no model weights to write\n", err);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void ExportRefusesWeightsTorchvisionHasNoPlaceFor()
    {
        using var dir = new TempDir();
        var input = Path.Combine(dir.Path, "gn.safetensors");
        using (var w = torch.ones(1)) SafeTensorsWriter.Write(input, [new("backbone.fpn.fpn_inner1.0.weight", w), new("backbone.fpn.fpn_inner1.1.weight", w)]);
        var (code, _, err) = Run("convert", "--to", "torchvision", "--input", input, "--output", Path.Combine(dir.Path, "o.safetensors"));
        Assert.Equal(2, code);
        Assert.Equal($"maskrcnn: error: {input}: torchvision's R-50-FPN model has no counterpart for 2 weight(s): backbone.fpn.fpn_inner1.0.weight, " +
            "backbone.fpn.fpn_inner1.1.weight (only R-50-FPN Mask/Faster/Keypoint R-CNN and RetinaNet without GroupNorm export)\n", err);
    }
}
