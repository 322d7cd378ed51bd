namespace MaskRcnn.Tests.Checkpoint.Naming;

/// <summary>
/// The blob names of Detectron's Caffe2 files, written out from its model builders' rules (ResNet.py, FPN.py,
/// rpn_heads.py, fast_rcnn_heads.py, mask_rcnn_heads.py): the ImageNet backbones and the trained COCO detectors.
/// </summary>
static class DetectronBlobs
{
    public static readonly int[] R50 = [3, 4, 6, 3], R101 = [3, 4, 23, 3], R152 = [3, 8, 36, 3];

    /// <summary>The stem and res2 … res5 (or res2 … res4 for <paramref name="stages"/> 3): affine-channel (<c>_bn_</c>) or GroupNorm (<c>_gn_</c>) norms.</summary>
    public static List<string> ResNet(int[] blocks, bool groupNorm = false, int stages = 4)
    {
        var norm = groupNorm ? "gn" : "bn";
        var names = new List<string> { "conv1_w" };
        names.AddRange(groupNorm ? ["conv1_gn_s", "conv1_gn_b"] : ["res_conv1_bn_s", "res_conv1_bn_b"]);
        for (var stage = 0; stage < stages; stage++)
            for (var block = 0; block < blocks[stage]; block++)
                foreach (var branch in block == 0 ? new[] { "branch1", "branch2a", "branch2b", "branch2c" } : ["branch2a", "branch2b", "branch2c"])
                {
                    var prefix = $"res{stage + 2}_{block}_{branch}";
                    names.AddRange([$"{prefix}_w", $"{prefix}_{norm}_s", $"{prefix}_{norm}_b"]);
                }
        return names;
    }

    /// <summary>An ImageNet backbone file: the ResNet and its 1000-way classifier (MSRA's <c>fc1000</c>, FAIR's <c>pred</c>).</summary>
    public static List<string> ImageNet(int[] blocks, bool groupNorm = false, string classifier = "fc1000") =>
        [.. ResNet(blocks, groupNorm), $"{classifier}_w", $"{classifier}_b"];

    static IEnumerable<string> WB(string layer) => [$"{layer}_w", $"{layer}_b"];

    /// <summary>e2e_faster/mask_rcnn_*-FPN: an FPN on res2 … res5 (levels named by each stage's last block), the RPN
    /// shared over levels (stored at fpn2), the 2-MLP box head, the four-conv mask head; with momentum blobs.</summary>
    public static List<string> FpnDetector(int[] blocks, bool mask)
    {
        var names = ResNet(blocks);
        string Sum(int stage) => $"res{stage}_{blocks[stage - 2] - 1}_sum";
        var head = new List<string>();
        head.AddRange(WB($"fpn_inner_{Sum(5)}"));
        for (var stage = 4; stage >= 2; stage--) head.AddRange(WB($"fpn_inner_{Sum(stage)}_lateral"));
        for (var stage = 5; stage >= 2; stage--) head.AddRange(WB($"fpn_{Sum(stage)}"));
        foreach (var layer in new[] { "conv_rpn_fpn2", "rpn_cls_logits_fpn2", "rpn_bbox_pred_fpn2", "fc6", "fc7", "cls_score", "bbox_pred" })
            head.AddRange(WB(layer));
        if (mask)
        {
            for (var i = 1; i <= 4; i++) head.AddRange(WB($"_[mask]_fcn{i}"));
            head.AddRange([.. WB("conv5_mask"), .. WB("mask_fcn_logits")]);
        }
        return WithMomentum(names, head);
    }

    /// <summary>e2e_faster/mask_rcnn_R-50-C4: res2 … res4 in the body, the RPN on res4, res5 as the box head shared
    /// with the mask head (<c>mask_rcnn_fcn_head_v0upshare</c>); with momentum blobs.</summary>
    public static List<string> C4Detector(int[] blocks, bool mask)
    {
        var names = ResNet(blocks);
        var head = new List<string>();
        foreach (var layer in new[] { "conv_rpn", "rpn_cls_logits", "rpn_bbox_pred", "cls_score", "bbox_pred" }) head.AddRange(WB(layer));
        if (mask) head.AddRange([.. WB("conv5_mask"), .. WB("mask_fcn_logits")]);
        return WithMomentum(names, head);
    }

    // Detectron saves the momentum of every trainable parameter; res2 and the stem are frozen, the affine norms always.
    static List<string> WithMomentum(List<string> body, List<string> head)
    {
        var trainable = body.Where(n => n.EndsWith("_w", StringComparison.Ordinal) && !n.StartsWith("res2_", StringComparison.Ordinal) && n != "conv1_w")
            .Concat(head).ToList();
        return [.. body, .. head, .. trainable.Select(n => n + "_momentum")];
    }
}
