using MaskRcnn.Checkpoint;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.SafeTensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Checkpoint;

public class WeightLoaderTests
{
    static ConvertedWeights Ours(StateDict weights, WeightScheme scheme = WeightScheme.MaskRcnnBenchmark) =>
        WeightNameConverter.ToOurs("w.safetensors", weights, scheme);

    static Dictionary<string, Tensor> Snapshot(nn.Module model) =>
        model.state_dict().ToDictionary(e => e.Key, e => e.Value.detach().clone());

    [Fact]
    public void MatchingWeightsAreCopiedInPlace()
    {
        using var model = CheckpointTestModel.Build();
        Assert.Equal(CheckpointTestModel.Names.Order(), model.state_dict().Keys.Order());
        var before = model.state_dict();
        using var weights = Ours(CheckpointTestModel.Weights());
        var report = WeightLoader.Load(model, weights);

        Assert.True(report.Succeeded);
        Assert.Equal(15, report.Loaded.Count);
        Assert.Equal(["backbone.body.layer1.0.bn1.num_batches_tracked"], report.LeftInitialised);
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        Assert.Empty(report.ShapeMismatches);
        Assert.Empty(report.Warnings);
        foreach (var name in report.Loaded)
        {
            TensorAssert.Equal(weights.Weights[name], model.state_dict()[name], name);
            Assert.Same(before[name], model.state_dict()[name]); // the module's own tensors, filled in place
        }
        Assert.True(model.parameters().All(p => p.requires_grad));
    }

    [Fact]
    public void ValuesAreConvertedToTheModelsDtype()
    {
        using var model = CheckpointTestModel.Build(dtype: ScalarType.Float64);
        using var weights = CheckpointTestModel.Weights();
        using var half = new StateDict();
        foreach (var (name, tensor) in weights) half.Add(name, tensor.to(ScalarType.Float16));
        using var converted = Ours(half);
        WeightLoader.Load(model, converted);
        Assert.All(model.state_dict().Where(e => !e.Key.EndsWith("num_batches_tracked")), e => Assert.Equal(ScalarType.Float64, e.Value.dtype));
        TensorAssert.Equal(converted.Weights["rpn.head.conv.weight"].to(ScalarType.Float64), model.state_dict()["rpn.head.conv.weight"]);
        Assert.Empty(half); // the converter took the tensors over
    }

    [Fact]
    public void MissingWeightsAreAnErrorAndNothingIsCopied()
    {
        using var model = CheckpointTestModel.Build();
        var before = Snapshot(model);
        var weights = CheckpointTestModel.Weights();
        using var partial = new StateDict();
        foreach (var (name, tensor) in weights.Release())
            if (name.StartsWith("rpn.", StringComparison.Ordinal)) tensor.Dispose();
            else partial.Add(name, tensor);
        using var converted = Ours(partial);
        var e = Assert.Throws<WeightLoadException>(() => WeightLoader.Load(model, converted));
        Assert.Equal("w.safetensors: weights (maskrcnn-benchmark names) do not fit the model: 2 missing (rpn.head.conv.weight, rpn.head.conv.bias)", e.Message);
        Assert.Equal(["rpn.head.conv.weight", "rpn.head.conv.bias"], e.Report.Missing);
        foreach (var (name, tensor) in model.state_dict()) TensorAssert.Equal(before[name], tensor, name);
        Assert.Contains("missing (error):\n  rpn.head.conv.weight\n  rpn.head.conv.bias\n", e.Report.Format());
    }

    [Fact]
    public void ShapeMismatchOutsideThePredictorIsAnError()
    {
        using var model = CheckpointTestModel.Build();
        var weights = CheckpointTestModel.Weights();
        var wrong = new StateDict();
        foreach (var (name, tensor) in weights.Release())
        {
            if (name != "rpn.head.conv.weight") { wrong.Add(name, tensor); continue; }
            tensor.Dispose();
            wrong.Add(name, torch.zeros(2, 2, 1, 1));
        }
        using var converted = Ours(wrong);
        var e = Assert.Throws<WeightLoadException>(() => WeightLoader.Load(model, converted));
        Assert.EndsWith("do not fit the model: 1 with another shape (rpn.head.conv.weight: file [2, 2, 1, 1], model [2, 2, 3, 3])", e.Message);
        Assert.False(e.Report.ShapeMismatches.Single().Skipped);
    }

    [Fact]
    public void PredictorForOtherClassesIsSkippedWithAWarning()
    {
        using var model = CheckpointTestModel.Build(classes: 3);
        var before = Snapshot(model);
        using var weights = Ours(CheckpointTestModel.Weights(classes: 81));
        var report = WeightLoader.Load(model, weights);

        Assert.True(report.Succeeded);
        Assert.Equal(
            ["roi_heads.box.predictor.cls_score.weight", "roi_heads.box.predictor.cls_score.bias", "roi_heads.box.predictor.bbox_pred.weight", "roi_heads.box.predictor.bbox_pred.bias"],
            report.Skipped.Select(s => s.Name).Order().Reverse());
        Assert.Equal(11, report.Loaded.Count);
        foreach (var skipped in report.Skipped) TensorAssert.Equal(before[skipped.Name], model.state_dict()[skipped.Name], skipped.Name);
        TensorAssert.Equal(weights.Weights["rpn.head.conv.weight"], model.state_dict()["rpn.head.conv.weight"]);
        Assert.Contains("shape differs in class-specific layer, left as initialised (fine-tuning to other classes): roi_heads.box.predictor.cls_score.weight: file [81, 2], model [3, 2]",
            report.Warnings);
        Assert.Contains("shape differs, class-specific, skipped:\n  roi_heads.box.predictor.cls_score.weight: file [81, 2], model [3, 2]\n", report.Format());
    }

    [Fact]
    public void AbsentPredictorIsLeftInitialisedWithAWarning()
    {
        using var model = CheckpointTestModel.Build();
        var weights = CheckpointTestModel.Weights();
        using var backboneOnly = new StateDict();
        foreach (var (name, tensor) in weights.Release())
            if (name.StartsWith("roi_heads.", StringComparison.Ordinal)) tensor.Dispose();
            else backboneOnly.Add(name, tensor);
        using var converted = Ours(backboneOnly);
        var report = WeightLoader.Load(model, converted);
        Assert.Equal(5, report.LeftInitialised.Count);
        Assert.Contains("not in the file, left as initialised: roi_heads.box.predictor.bbox_pred.bias", report.Warnings);
    }

    [Fact]
    public void UnexpectedAndIgnoredNamesAreReportedUnderTheirFileNames()
    {
        using var model = CheckpointTestModel.Build();
        using var fixture = SafeTensorsFile.Load(TestPaths.Fixture("checkpoint/maskrcnn_benchmark_checkpoint.safetensors"));
        fixture.Add("module.roi_heads.mask.predictor.conv5_mask.weight", torch.ones(1));
        using var converted = WeightNameConverter.ToOurs("ckpt", fixture);
        Assert.Equal(WeightScheme.MaskRcnnBenchmark, converted.Scheme);
        var report = WeightLoader.Load(model, converted);

        Assert.Equal(15, report.Loaded.Count);
        Assert.Equal(15, report.Renamed);
        Assert.Equal(["module.roi_heads.mask.predictor.conv5_mask.weight"], report.Unexpected);
        Assert.Equal(["module.rpn.anchor_generator.cell_anchors.0"], report.Ignored.Select(i => i.Source));
        var table = report.Format();
        Assert.StartsWith("weights ckpt (maskrcnn-benchmark names)\n", table);
        Assert.Contains("  loaded                                      15\n", table);
        Assert.Contains("not in the model (unexpected):\n  module.roi_heads.mask.predictor.conv5_mask.weight\n", table);
        Assert.Contains("ignored:\n  1 × anchor buffer, recomputed from the config\n", table);
        Assert.Contains("module.rpn.anchor_generator.cell_anchors.0 (anchor buffer, recomputed from the config)", report.Format(listIgnored: true));
    }

    [Fact]
    public void TorchvisionFileLoadsThroughTheMap()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "tv.safetensors");
        using var ours = CheckpointTestModel.Weights();
        var torchvisionNamed = ours.Select(e => new KeyValuePair<string, Tensor>(e.Key switch
        {
            "backbone.body.stem.conv1.weight" => "backbone.body.conv1.weight",
            var n when n.StartsWith("backbone.body.stem.bn1.", StringComparison.Ordinal) => n.Replace("stem.", ""),
            "rpn.head.conv.weight" => "rpn.head.conv.0.0.weight",
            "rpn.head.conv.bias" => "rpn.head.conv.0.0.bias",
            var n => n.Replace("roi_heads.box.predictor.", "roi_heads.box_predictor."),
        }, e.Value)).Append(new("backbone.body.bn1.num_batches_tracked", torch.tensor(0L))).Append(new("roi_heads.box_head.0.0.weight", torch.ones(1)));
        SafeTensorsWriter.Write(path, torchvisionNamed);

        using var model = CheckpointTestModel.Build();
        var report = WeightLoader.LoadFile(model, path);
        Assert.Equal(WeightScheme.Torchvision, report.Scheme);
        Assert.Equal(15, report.Loaded.Count);
        Assert.Equal(11, report.Renamed);
        Assert.Equal(["roi_heads.box_head.0.0.weight"], report.Unexpected);
        Assert.Equal(["backbone.body.bn1.num_batches_tracked"], report.Ignored.Select(i => i.Source));
        TensorAssert.Equal(ours["backbone.body.stem.conv1.weight"], model.state_dict()["backbone.body.stem.conv1.weight"]);
    }

    // A file of the test model's weights (maskrcnn-benchmark names) with one tensor replaced, written to a temporary folder.
    static string FileWith(TempDir dir, string name, Tensor replacement)
    {
        var path = Path.Combine(dir.Path, "w.safetensors");
        using var weights = CheckpointTestModel.Weights();
        SafeTensorsWriter.Write(path, weights.Select(e => e.Key == name ? new KeyValuePair<string, Tensor>(name, replacement) : e));
        return path;
    }

    [Theory]
    [InlineData(ScalarType.Int64, "I64")]
    [InlineData(ScalarType.Int32, "I32")]
    [InlineData(ScalarType.Bool, "BOOL")]
    [InlineData(ScalarType.Byte, "U8")]
    public void IntegerOrBooleanDataForAFloatParameterIsRefusedNamingIt(ScalarType type, string dtype)
    {
        using var dir = new TempDir();
        using var model = CheckpointTestModel.Build();
        var before = Snapshot(model);
        using var wrong = torch.ones([2, 2, 3, 3], type);
        var path = FileWith(dir, "rpn.head.conv.weight", wrong);

        var e = Assert.Throws<WeightLoadException>(() => WeightLoader.LoadFile(model, path));
        Assert.Equal($"{path}: weights (maskrcnn-benchmark names) do not fit the model: 1 not floating-point where the model's are " +
                     $"(rpn.head.conv.weight: file {dtype}, model F32)", e.Message);
        Assert.Contains($"not floating-point (error):\n  rpn.head.conv.weight: file {dtype}, model F32\n", e.Report.Format());
        foreach (var (name, tensor) in model.state_dict()) TensorAssert.Equal(before[name], tensor, name);
    }

    [Fact]
    public void HalfPrecisionDataStillLoadsIntoFloatParameters()
    {
        using var dir = new TempDir();
        using var model = CheckpointTestModel.Build();
        using var half = torch.full([2, 2, 3, 3], 0.5, ScalarType.BFloat16);
        var report = WeightLoader.LoadFile(model, FileWith(dir, "rpn.head.conv.weight", half));
        Assert.True(report.Succeeded);
        TensorAssert.Equal(torch.full([2, 2, 3, 3], 0.5f), model.state_dict()["rpn.head.conv.weight"]);
    }

    [Fact]
    public void TensorsThatDoNotLoadAreNeverRead()
    {
        // The last tensor of the file (BOOL is written last) holds a byte that is no boolean: reading it is an error,
        // so loading succeeds only if the tensor the model has no place for is left unread.
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "w.safetensors");
        using (var weights = CheckpointTestModel.Weights())
        using (var flags = torch.zeros(16, ScalarType.Bool))
            SafeTensorsWriter.Write(path, weights.Append(new("roi_heads.box.predictor.extra_flags", flags)));
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Seek(-1, SeekOrigin.End);
            stream.WriteByte(7);
        }
        Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Load(path).Dispose());

        using var model = CheckpointTestModel.Build();
        var report = WeightLoader.LoadFile(model, path);
        Assert.Equal(15, report.Loaded.Count);
        Assert.Equal(["roi_heads.box.predictor.extra_flags"], report.Unexpected);
    }

    // A safetensors file declaring one F32 tensor of 40 GB, sparse on disk: reading it whole would exhaust memory.
    static string HugeFile(TempDir dir, string name)
    {
        var path = Path.Combine(dir.Path, "huge.safetensors");
        const long bytes = 100_000L * 100_000 * 4;
        var header = System.Text.Encoding.UTF8.GetBytes(
            $"{{\"{name}\":{{\"dtype\":\"F32\",\"shape\":[100000,100000],\"data_offsets\":[0,{bytes}]}}}}");
        using var stream = new FileStream(path, FileMode.CreateNew);
        stream.Write(BitConverter.GetBytes((ulong)header.Length));
        stream.Write(header);
        stream.SetLength(8 + header.Length + bytes);
        return path;
    }

    [Fact]
    public void AHugeFileOfTheModelsNamesButOtherShapesIsRefusedFromItsHeader()
    {
        using var dir = new TempDir();
        using var model = CheckpointTestModel.Build();
        var e = Assert.Throws<WeightLoadException>(() => WeightLoader.LoadFile(model, HugeFile(dir, "rpn.head.conv.weight"), WeightScheme.MaskRcnnBenchmark));
        Assert.Contains("1 with another shape (rpn.head.conv.weight: file [100000, 100000], model [2, 2, 3, 3])", e.Message);
    }

    [Fact]
    public void AHugeUnrelatedFileIsRefusedFromItsNames()
    {
        using var dir = new TempDir();
        using var model = CheckpointTestModel.Build();
        var path = HugeFile(dir, "encoder.layers.0.attention.weight");
        var e = Assert.Throws<WeightFileException>(() => WeightLoader.LoadFile(model, path));
        Assert.Equal($"{path}: names are neither torchvision's Mask R-CNN (backbone.body.conv1.weight, roi_heads.box_head.*) or ImageNet classifiers " +
                     "(conv1.weight, layer1.0.conv1.weight, features.0.weight), maskrcnn-benchmark's " +
                     "(backbone.body.stem.conv1.weight, roi_heads.box.*), dbolya/yolact's (backbone.layers.*, fpn.lat_layers.*, proto_net.0.*), " +
                     "Detectron's Caffe2 blobs (conv1_w, res2_0_branch2a_w, fpn_inner_res5_2_sum_w) nor detectron2's " +
                     "(backbone.bottom_up.*, proposal_generator.*, res2.0.conv1.*); " +
                     "first names: encoder.layers.0.attention.weight", e.Message);
    }
}
