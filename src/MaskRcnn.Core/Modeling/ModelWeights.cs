using MaskRcnn.Checkpoint;
using MaskRcnn.Config;
using MaskRcnn.Modeling.MetaArch;

namespace MaskRcnn.Modeling;

/// <summary>Puts the weights named by <c>MODEL.WEIGHT</c> (or a <c>--weights</c> file) into a model: this tool's
/// checkpoints, or torchvision's or maskrcnn-benchmark's weights converted to safetensors, told apart by their names.</summary>
public static class ModelWeights
{
    /// <summary>Loads <paramref name="path"/> (empty: nothing to load) and returns the report; a file that does not fit
    /// the model is a <see cref="WeightLoadException"/> whose message is the report's summary. Call
    /// <see cref="Detector.PrepareForInference"/> afterwards for inference: folding uses the weights present then.</summary>
    public static LoadReport? Load(Detector model, string path, TextWriter? log = null)
    {
        if (string.IsNullOrEmpty(path)) return null;
        if (path.StartsWith("catalog://", StringComparison.Ordinal))
            throw new ConfigException($"MODEL.WEIGHT {path}: maskrcnn-benchmark's catalog weights are downloads, which this tool does not make; " +
                                      "convert the .pth with scripts/pth_to_safetensors.py and pass the .safetensors file");
        if (!File.Exists(path)) throw new ConfigException($"MODEL.WEIGHT: weights file not found: {path}");
        var report = WeightLoader.LoadFile(model, path);
        foreach (var warning in report.Warnings) log?.WriteLine($"warning: {warning}");
        return report;
    }
}
