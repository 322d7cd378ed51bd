using MaskRcnn.SafeTensors;

namespace MaskRcnn.Checkpoint.Naming;

/// <summary>
/// Our weights under torchvision 0.14's names, for <c>maskrcnn_resnet50_fpn().load_state_dict(...)</c> in Python.
/// A BatchNorm step counter (0) is added beside every BatchNorm so that the file loads with <c>strict=True</c>
/// whether torchvision built BatchNorm2d (weights=None) or FrozenBatchNorm2d (which drops the counter). A RetinaNet's
/// FPN blocks (ours from C3, <c>fpn_inner2…4</c>) are torchvision's from 0, as its <c>retinanet_resnet50_fpn</c> has them.
/// </summary>
public static class TorchvisionExport
{
    /// <summary>Consumes <paramref name="ours"/> (our names; extras already removed) and returns the same tensors under torchvision's names.</summary>
    public static StateDict FromOurs(string path, StateDict ours)
    {
        var fromOne = FpnLevelAlignment.NumberedFromOne(ours.Names.ToList());
        // Our RetinaNet keeps maskrcnn-benchmark's names, where its output layers are the RPN head's.
        bool retinaNet = ours.Names.Any(n => n.StartsWith("rpn.head.cls_tower.", StringComparison.Ordinal));
        string? Rename(string name) => retinaNet && RetinaNetOutput(name) is { } output ? output : TorchvisionNames.FromOurs(fromOne(name));
        var untranslatable = ours.Names.Where(n => Rename(n) is null).ToList();
        if (untranslatable.Count > 0)
            throw new WeightFileException($"{path}: torchvision's R-50-FPN model has no counterpart for {untranslatable.Count} weight(s): " +
                ExportedWeights.Few(untranslatable) + " (only R-50-FPN Mask/Faster/Keypoint R-CNN and RetinaNet without GroupNorm export)");
        return ExportedWeights.Rename(ours, Rename, TorchvisionNames.BatchNormCounterBeside);
    }

    static string? RetinaNetOutput(string name) => name switch
    {
        "rpn.head.cls_logits.weight" or "rpn.head.cls_logits.bias" => "head.classification_head.cls_logits." + name.Split('.')[^1],
        "rpn.head.bbox_pred.weight" or "rpn.head.bbox_pred.bias" => "head.regression_head.bbox_reg." + name.Split('.')[^1],
        _ => null,
    };
}
