using MaskRcnn.Checkpoint;
using MaskRcnn.Config;

namespace MaskRcnn.Inference;

/// <summary>
/// Which weights inference runs with, as maskrcnn-benchmark's <c>test_net.py</c> picks them: a file named explicitly;
/// otherwise the checkpoint <c>OUTPUT_DIR/last_checkpoint</c> names (the training run's newest); otherwise
/// <c>MODEL.WEIGHT</c>. Where maskrcnn-benchmark would then go on with randomly initialised weights, this is an error:
/// its detections would be noise.
/// </summary>
public static class InferenceWeights
{
    public static string Resolve(MaskRcnnConfig cfg, string? explicitPath = null)
    {
        if (!string.IsNullOrEmpty(explicitPath))
            return File.Exists(explicitPath) ? explicitPath : throw new ConfigException($"weights file not found: {explicitPath}");
        if (Checkpointer.LatestIn(cfg.OutputDir) is { } latest) return latest;
        if (!string.IsNullOrEmpty(cfg.Model.Weight)) return cfg.Model.Weight;
        throw new ConfigException($"no weights to run: OUTPUT_DIR {cfg.OutputDir} has no {Checkpointer.LastCheckpointFileName} and MODEL.WEIGHT is empty " +
                                  "(train first, point OUTPUT_DIR at a training run, or name a checkpoint with --weights)");
    }
}
