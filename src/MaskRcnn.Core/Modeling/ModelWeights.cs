using MaskRcnn.Checkpoint;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.Config;
using MaskRcnn.Data;
using MaskRcnn.Modeling.MetaArch;

namespace MaskRcnn.Modeling;

/// <summary>Puts the weights named by <c>MODEL.WEIGHT</c> (or a <c>--weights</c> file) into a model: this tool's
/// checkpoints, torchvision's, maskrcnn-benchmark's, Detectron's or detectron2's weights in safetensors, PyTorch .pth or
/// pickled .pkl files (told apart by their bytes and names), and <c>catalog://</c> names resolved to files under the
/// data folder (<see cref="ModelCatalog"/>).</summary>
public static class ModelWeights
{
    /// <summary>Loads <paramref name="path"/> (empty: nothing to load) and returns the report; a file that does not fit
    /// the model is a <see cref="WeightLoadException"/> whose message is the report's summary. Settings of
    /// <paramref name="cfg"/> the weights were not trained with (stride placement, channel order, pixel statistics) are
    /// warnings. Call <see cref="Detector.PrepareForInference"/> afterwards for inference: folding uses the weights present then.</summary>
    public static LoadReport? Load(Detector model, string path, MaskRcnnConfig cfg, TextWriter? log = null)
    {
        if (string.IsNullOrEmpty(path)) return null;
        var weight = path;
        CatalogWeightSettings? trainedWith = null;
        if (ModelCatalog.IsCatalogName(path))
        {
            trainedWith = ModelCatalog.Get(path).Settings;
            path = ModelCatalog.Resolve(path, DatasetCatalog.Create(cfg.PathsCatalog).DataDir);
        }
        if (!File.Exists(path)) throw new ConfigException($"MODEL.WEIGHT: weights file not found: {path}");
        var report = WeightLoader.LoadFile(model, path);
        // torchvision's files say whose they are by their names; Caffe2 ones do not say where their ResNet strides.
        trainedWith ??= report.Scheme == WeightScheme.Torchvision ? CatalogWeightSettings.Torchvision : null;
        foreach (var warning in report.Warnings) log?.WriteLine($"warning: {warning}");
        foreach (var mismatch in trainedWith?.Mismatches(cfg, weight) ?? [])
            if (StridePlacementMatters(cfg) || !mismatch.StartsWith("MODEL.RESNETS.STRIDE_IN_1X1", StringComparison.Ordinal))
                log?.WriteLine($"warning: {mismatch}");
        return report;
    }

    // BasicBlock ResNets (R-18/34) and VGG have no 1×1 convolution to stride in.
    static bool StridePlacementMatters(MaskRcnnConfig cfg) =>
        !(cfg.Model.Backbone.ConvBody.StartsWith("R-18", StringComparison.Ordinal) || cfg.Model.Backbone.ConvBody.StartsWith("R-34", StringComparison.Ordinal)
          || cfg.Model.Backbone.ConvBody.StartsWith("VGG", StringComparison.Ordinal));
}
