using MaskRcnn.Config;
using MaskRcnn.Inference;

namespace MaskRcnn.Tests.Inference;

/// <summary>Inference weights are picked as test_net.py picks them: the named file, else the run's last checkpoint, else MODEL.WEIGHT.</summary>
public class InferenceWeightsTests
{
    [Fact]
    public void NamedFileThenLastCheckpointThenModelWeight()
    {
        using var dir = new TempDir();
        var named = dir.File("named.safetensors", "x");
        var fromConfig = dir.File("config.safetensors", "x");
        var run = Path.Combine(dir.Path, "run");
        var cfg = TinyModel.Config("OUTPUT_DIR", run, "MODEL.WEIGHT", fromConfig);
        Assert.Equal(named, InferenceWeights.Resolve(cfg, named));
        Assert.Equal(fromConfig, InferenceWeights.Resolve(cfg));
        var latest = dir.File("run/model_0000100.safetensors", "x");
        dir.File("run/last_checkpoint", "model_0000100.safetensors\n");
        Assert.Equal(latest, InferenceWeights.Resolve(cfg));
        Assert.Equal(named, InferenceWeights.Resolve(cfg, named));
    }

    [Fact]
    public void NoWeightsOrAMissingFileIsOneLineError()
    {
        using var dir = new TempDir();
        var cfg = TinyModel.Config("OUTPUT_DIR", dir.Path);
        var missing = Path.Combine(dir.Path, "nope.safetensors");
        Assert.Equal($"weights file not found: {missing}", Assert.Throws<ConfigException>(() => InferenceWeights.Resolve(cfg, missing)).Message);
        Assert.StartsWith($"no weights to run: OUTPUT_DIR {dir.Path} has no last_checkpoint and MODEL.WEIGHT is empty",
            Assert.Throws<ConfigException>(() => InferenceWeights.Resolve(cfg)).Message);
    }
}
