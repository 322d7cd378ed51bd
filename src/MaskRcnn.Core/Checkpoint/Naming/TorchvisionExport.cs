using MaskRcnn.SafeTensors;

namespace MaskRcnn.Checkpoint.Naming;

/// <summary>
/// Our weights under torchvision 0.14's names, for <c>maskrcnn_resnet50_fpn().load_state_dict(...)</c> in Python.
/// A BatchNorm step counter (0) is added beside every BatchNorm so that the file loads with <c>strict=True</c>
/// whether torchvision built BatchNorm2d (weights=None) or FrozenBatchNorm2d (which drops the counter).
/// </summary>
public static class TorchvisionExport
{
    /// <summary>Consumes <paramref name="ours"/> (our names; extras already removed) and returns the same tensors under torchvision's names.</summary>
    public static StateDict FromOurs(string path, StateDict ours)
    {
        // RetinaNet's FPN and head names depend on the model, which these name rules do not see.
        if (ours.Names.Any(n => n.StartsWith("rpn.head.cls_tower.", StringComparison.Ordinal)))
            throw new WeightFileException($"{path}: RetinaNet weights do not export to torchvision's names yet (only R-50-FPN Mask/Faster/Keypoint R-CNN without GroupNorm exports)");
        var untranslatable = ours.Names.Where(n => TorchvisionNames.FromOurs(n) is null).ToList();
        if (untranslatable.Count > 0)
            throw new WeightFileException($"{path}: torchvision's R-50-FPN model has no counterpart for {untranslatable.Count} weight(s): " +
                ExportedWeights.Few(untranslatable) + " (only R-50-FPN Mask/Faster/Keypoint R-CNN without GroupNorm exports)");
        return ExportedWeights.Rename(ours, TorchvisionNames.FromOurs, TorchvisionNames.BatchNormCounterBeside);
    }
}
