namespace MaskRcnn.Tests.Checkpoint.Naming;

/// <summary>The state-dict names of detectron2's models and backbone files, written out from its modules' rules
/// (modeling/backbone/resnet.py and fpn.py, rpn.py, roi_heads, tools/convert-torchvision-to-d2.py).</summary>
static class Detectron2StateDicts
{
    static readonly string[] FrozenBn = ["weight", "bias", "running_mean", "running_var"];
    static readonly string[] WB = ["weight", "bias"];

    /// <summary>The ResNet under <paramref name="prefix"/>, stages res2 … res(1 + <paramref name="stages"/>) (FrozenBN norms).</summary>
    public static List<string> ResNet(string prefix, int[] blocks, int stages = 4)
    {
        var names = new List<string> { $"{prefix}stem.conv1.weight" };
        names.AddRange(FrozenBn.Select(p => $"{prefix}stem.conv1.norm.{p}"));
        for (var stage = 0; stage < stages; stage++)
            names.AddRange(Stage($"{prefix}res{stage + 2}", blocks[stage]));
        return names;
    }

    static IEnumerable<string> Stage(string stage, int blocks)
    {
        for (var block = 0; block < blocks; block++)
        {
            var prefix = $"{stage}.{block}";
            if (block == 0)
            {
                yield return $"{prefix}.shortcut.weight";
                foreach (var p in FrozenBn) yield return $"{prefix}.shortcut.norm.{p}";
            }
            for (var k = 1; k <= 3; k++)
            {
                yield return $"{prefix}.conv{k}.weight";
                foreach (var p in FrozenBn) yield return $"{prefix}.conv{k}.norm.{p}";
            }
        }
    }

    /// <summary>A backbone file from convert-torchvision-to-d2.py: bare ResNet names, the classifier filed under stem.</summary>
    public static List<string> ConvertedTorchvision(int[] blocks) => [.. ResNet("", blocks), "stem.fc.weight", "stem.fc.bias"];

    static IEnumerable<string> Layer(string layer) => WB.Select(p => $"{layer}.{p}");

    /// <summary>mask_rcnn_R_50_FPN / faster_rcnn_R_50_FPN: GeneralizedRCNN with FPN, StandardROIHeads (FastRCNNConvFCHead 2fc, MaskRCNNConvUpsampleHead).</summary>
    public static List<string> FpnModel(int[] blocks, bool mask)
    {
        var names = ResNet("backbone.bottom_up.", blocks);
        for (var stage = 2; stage <= 5; stage++) names.AddRange([.. Layer($"backbone.fpn_lateral{stage}"), .. Layer($"backbone.fpn_output{stage}")]);
        foreach (var layer in new[] { "conv", "objectness_logits", "anchor_deltas" }) names.AddRange(Layer($"proposal_generator.rpn_head.{layer}"));
        foreach (var layer in new[] { "box_head.fc1", "box_head.fc2", "box_predictor.cls_score", "box_predictor.bbox_pred" }) names.AddRange(Layer($"roi_heads.{layer}"));
        if (mask)
        {
            for (var i = 1; i <= 4; i++) names.AddRange(Layer($"roi_heads.mask_head.mask_fcn{i}"));
            names.AddRange([.. Layer("roi_heads.mask_head.deconv"), .. Layer("roi_heads.mask_head.predictor")]);
        }
        return names;
    }

    /// <summary>mask_rcnn_R_50_C4 / faster_rcnn_R_50_C4: res2 … res4 as the backbone, Res5ROIHeads with res5 and the mask head's deconv.</summary>
    public static List<string> C4Model(int[] blocks, bool mask)
    {
        var names = ResNet("backbone.", blocks, stages: 3);
        foreach (var layer in new[] { "conv", "objectness_logits", "anchor_deltas" }) names.AddRange(Layer($"proposal_generator.rpn_head.{layer}"));
        names.AddRange(Stage("roi_heads.res5", blocks[3]));
        names.AddRange([.. Layer("roi_heads.box_predictor.cls_score"), .. Layer("roi_heads.box_predictor.bbox_pred")]);
        if (mask) names.AddRange([.. Layer("roi_heads.mask_head.deconv"), .. Layer("roi_heads.mask_head.predictor")]);
        return names;
    }
}
