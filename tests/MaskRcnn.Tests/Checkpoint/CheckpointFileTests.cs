using MaskRcnn.Checkpoint;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.SafeTensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Checkpoint;

public class CheckpointFileTests
{
    static nn.Module TrainedModel()
    {
        var model = CheckpointTestModel.Build();
        using var weights = WeightNameConverter.ToOurs("w", CheckpointTestModel.Weights(seed: 7), WeightScheme.MaskRcnnBenchmark);
        WeightLoader.Load(model, weights);
        return model;
    }

    [Fact]
    public void SaveAndLoadRoundTripTheModelAndTheExtras()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "model_0001000.safetensors");
        using var saved = TrainedModel();
        saved.state_dict()["backbone.body.layer1.0.bn1.num_batches_tracked"].fill_(1000);
        using var momentum = torch.arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        using var rng = torch.randint(0, 255, [16], dtype: ScalarType.Byte);
        CheckpointFile.Save(path, saved, new CheckpointExtras
        {
            Iteration = 1000,
            Tensors = new Dictionary<string, Tensor> { ["optimizer/state/0/momentum_buffer"] = momentum, ["rng/cpu"] = rng },
            Metadata = new Dictionary<string, string> { ["scheduler"] = "{\"milestones\": [60000, 80000]}", ["config"] = "SOLVER:\n  BASE_LR: 0.02\n" },
        });

        using var loaded = CheckpointTestModel.Build();
        using var checkpoint = CheckpointFile.Load(path, loaded);
        Assert.Equal(16, checkpoint.Report.Loaded.Count);
        Assert.Equal(WeightScheme.MaskRcnn, checkpoint.Report.Scheme);
        Assert.Empty(checkpoint.Report.Unexpected);
        Assert.Empty(checkpoint.Report.Ignored);
        foreach (var (name, tensor) in saved.state_dict()) TensorAssert.Equal(tensor, loaded.state_dict()[name], name);
        Assert.Equal(1000, checkpoint.Iteration);
        Assert.Equal(1, checkpoint.FormatVersion);
        TensorAssert.Equal(momentum, checkpoint.ExtraTensors["optimizer/state/0/momentum_buffer"]);
        TensorAssert.Equal(rng, checkpoint.ExtraTensors["rng/cpu"]);
        Assert.Equal("SOLVER:\n  BASE_LR: 0.02\n", checkpoint.ExtraMetadata["config"]);
        Assert.Equal(2, checkpoint.ExtraMetadata.Count);

        using var raw = SafeTensorsFile.Open(path);
        Assert.Equal("maskrcnn-checkpoint", raw.Metadata["format"]);
        Assert.Equal("1", raw.Metadata["format_version"]);
        Assert.Equal("maskrcnn", raw.Metadata["scheme"]);
        Assert.Equal("1000", raw.Metadata["iteration"]);
        Assert.StartsWith("maskrcnn ", raw.Metadata["producer"]);
        Assert.Contains(raw.Tensors, t => t.Name == "extra/rng/cpu");
        Assert.Contains(raw.Tensors, t => t.Name == "backbone.body.stem.bn1.running_var");
    }

    [Fact]
    public void AFailureWhileWritingLeavesThePreviousCheckpoint()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "last_checkpoint.safetensors");
        using var model = TrainedModel();
        CheckpointFile.Save(path, model, new CheckpointExtras { Iteration = 1 });
        var before = File.ReadAllBytes(path);

        // A tensor whose data cannot be copied out (meta device): the header and earlier tensors are already
        // written when it fails, as when a GPU error strikes in the middle of a save.
        using var unreadable = torch.empty([4], ScalarType.Float32, device: torch.META);
        var e = Assert.ThrowsAny<Exception>(() => CheckpointFile.Save(path, model, new CheckpointExtras
        {
            Iteration = 2,
            Tensors = new Dictionary<string, Tensor> { ["zz_last"] = unreadable },
        }));
        Assert.IsNotType<ArgumentException>(e);
        Assert.Contains("meta tensor", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path)); // no temporary file left behind
        using var reloaded = CheckpointTestModel.Build();
        using var checkpoint = CheckpointFile.Load(path, reloaded);
        Assert.Equal(1, checkpoint.Iteration);
    }

    [Fact]
    public void OnlyOurOwnFormatLoadsAsACheckpoint()
    {
        using var model = CheckpointTestModel.Build();
        var fixture = TestPaths.Fixture("checkpoint/maskrcnn_benchmark_checkpoint.safetensors");
        var e = Assert.Throws<WeightFileException>(() => CheckpointFile.Load(fixture, model));
        Assert.Equal($"{fixture}: not a maskrcnn checkpoint (its metadata has no format: maskrcnn-checkpoint); use 'maskrcnn convert' for other weights", e.Message);
    }

    [Fact]
    public void ANewerFormatVersionIsRefused()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "future.safetensors");
        using var weights = CheckpointTestModel.Weights();
        SafeTensorsWriter.Write(path, weights, new Dictionary<string, string> { ["format"] = "maskrcnn-checkpoint", ["format_version"] = "2", ["scheme"] = "maskrcnn" });
        using var model = CheckpointTestModel.Build();
        var e = Assert.Throws<WeightFileException>(() => CheckpointFile.Load(path, model));
        Assert.Equal($"{path}: checkpoint format version 2 is newer than this tool reads (1); update maskrcnn", e.Message);
    }

    [Fact]
    public void ExtrasCannotHideModelWeights()
    {
        using var dir = new TempDir();
        using var t = torch.ones(1);
        Assert.Throws<ArgumentException>(() => CheckpointFile.SaveWeights(Path.Combine(dir.Path, "x.safetensors"), [new("extra/x", t)]));
        Assert.Throws<ArgumentException>(() => CheckpointFile.SaveWeights(Path.Combine(dir.Path, "x.safetensors"), [],
            new CheckpointExtras { Tensors = new Dictionary<string, Tensor> { [""] = t } }));
    }

    [Fact]
    public void AutoLoadingOurCheckpointIgnoresItsExtras()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "c.safetensors");
        using var model = TrainedModel();
        using var momentum = torch.ones(3);
        CheckpointFile.Save(path, model, new CheckpointExtras { Tensors = new Dictionary<string, Tensor> { ["m"] = momentum } });
        using var other = CheckpointTestModel.Build();
        var report = WeightLoader.LoadFile(other, path);
        Assert.Equal(WeightScheme.MaskRcnn, report.Scheme);
        Assert.Equal(16, report.Loaded.Count);
        Assert.Equal(["extra/m"], report.Ignored.Select(i => i.Source));
        Assert.Empty(report.Unexpected);
    }
}
