using System.Text.RegularExpressions;

namespace MaskRcnn.Checkpoint.Naming;

/// <summary>
/// Detectron's Caffe2 blob names → ours: its ImageNet backbones (MSRA R-50/101/152, FAIR ResNeXt, the GroupNorm
/// R-50-GN/R-101-GN) and its trained COCO models (<c>model_final.pkl</c>), as maskrcnn-benchmark's c2_model_loading
/// renames them. That loader only turns blob names into dotted suffixes and leaves the rest to suffix matching against
/// the model (<c>align_and_update_state_dicts</c>, which takes the longest loaded name the model's name ends with);
/// here every blob names one of our parameters exactly, so a blob that fits nowhere is reported rather than dropped.
/// Where the suffix match depends on the model — res5 is the backbone's <c>layer4</c> in FPN/C5 models but the box
/// head's in C4 models (<see cref="Res5Placement"/>) — the caller says which (<see cref="ToOurs(string, bool)"/>).
/// Caffe2's batch norms are folded affine channels, scale and bias only: see <see cref="FoldedBatchNormStatistics"/>.
/// </summary>
public static partial class Caffe2Names
{
    // A block's branches: the shortcut's projection (branch1) and the bottleneck's three convolutions.
    static readonly Dictionary<string, (string Conv, string Norm)> Branches = new(StringComparer.Ordinal)
    {
        ["1"] = ("downsample.0", "downsample.1"), ["2a"] = ("conv1", "bn1"), ["2b"] = ("conv2", "bn2"), ["2c"] = ("conv3", "bn3"),
    };

    const string Block = @"res(?<s>[2-5])_(?<b>0|[1-9]\d*)_branch(?<br>1|2[abc])";

    // The affine terms of a folded BatchNorm (_bn_) or a GroupNorm (_gn_): scale → weight, bias → bias.
    static string Affine(Match m) => m.Groups["a"].Value == "s" ? "weight" : "bias";

    static string Param(Match m) => m.Groups["p"].Value == "w" ? "weight" : "bias";

    /// <summary>The ResNet's blobs, named relative to the body (<c>stem.*</c>, <c>layerN.*</c>); res2 … res5 are layer1 … layer4.</summary>
    static readonly NameRule[] ResNetRules =
    [
        new(@"^conv1_w$", _ => "stem.conv1.weight"),
        new(@"^(res_conv1_bn|conv1_gn)_(?<a>[sb])$", m => $"stem.bn1.{Affine(m)}"),
        new($@"^{Block}_w$", m => $"layer{NameRule.Shift(m, "s", -1)}.{m.Groups["b"]}.{Branches[m.Groups["br"].Value].Conv}.weight"),
        new($@"^{Block}_(bn|gn)_(?<a>[sb])$", m => $"layer{NameRule.Shift(m, "s", -1)}.{m.Groups["b"]}.{Branches[m.Groups["br"].Value].Norm}.{Affine(m)}"),
    ];

    /// <summary>
    /// The detector's blobs. Detectron names an FPN level by the last block of its stage (<c>res4_5_sum</c> in R-50,
    /// <c>res4_22_sum</c> in R-101, <c>res4_35_sum</c> in R-152), for which maskrcnn-benchmark keeps a table per depth;
    /// the stage alone fixes the level, so any block number is read (a file of another depth still fails on its
    /// backbone names). The top level (res5) has no lateral suffix, the others do. The RPN's convolutions are
    /// shared by all levels and stored once, under the finest level (fpn2), as maskrcnn-benchmark reads them.
    /// </summary>
    static readonly NameRule[] DetectorRules =
    [
        new(@"^fpn_inner_res5_(0|[1-9]\d*)_sum_(?<p>[wb])$", m => $"backbone.fpn.fpn_inner4.{Param(m)}"),
        new(@"^fpn_inner_res(?<s>[2-4])_(0|[1-9]\d*)_sum_lateral_(?<p>[wb])$", m => $"backbone.fpn.fpn_inner{NameRule.Shift(m, "s", -1)}.{Param(m)}"),
        new(@"^fpn_res(?<s>[2-5])_(0|[1-9]\d*)_sum_(?<p>[wb])$", m => $"backbone.fpn.fpn_layer{NameRule.Shift(m, "s", -1)}.{Param(m)}"),
        // RetinaNet's P6 (from C5) and P7 (from P6) convolutions, as maskrcnn-benchmark's LastLevelP6P7 computes them;
        // its c2 loading leaves them unloaded, which here would be an unknown name.
        new(@"^fpn_(?<l>[67])_(?<p>[wb])$", m => $"backbone.fpn.top_blocks.p{m.Groups["l"]}.{Param(m)}"),
        new(@"^conv_rpn(_fpn2)?_(?<p>[wb])$", m => $"rpn.head.conv.{Param(m)}"),
        new(@"^rpn_(?<l>cls_logits|bbox_pred)(_fpn2)?_(?<p>[wb])$", m => $"rpn.head.{m.Groups["l"]}.{Param(m)}"),
        new(@"^(?<l>fc6|fc7)_(?<p>[wb])$", m => $"roi_heads.box.feature_extractor.{m.Groups["l"]}.{Param(m)}"),
        new(@"^(?<l>cls_score|bbox_pred)_(?<p>[wb])$", m => $"roi_heads.box.predictor.{m.Groups["l"]}.{Param(m)}"),
        new(@"^_\[mask\]_fcn(?<i>[1-9]\d*)_(?<p>[wb])$", m => $"roi_heads.mask.feature_extractor.mask_fcn{m.Groups["i"]}.{Param(m)}"),
        new(@"^(?<l>conv5_mask|mask_fcn_logits)_(?<p>[wb])$", m => $"roi_heads.mask.predictor.{m.Groups["l"]}.{Param(m)}"),
        // Keypoint R-CNN's head: c2_model_loading turns conv_fcnN and kps_score_lowres into dotted names that suffix-match these.
        new(@"^conv_fcn(?<i>[1-9]\d*)_(?<p>[wb])$", m => $"roi_heads.keypoint.feature_extractor.conv_fcn{m.Groups["i"]}.{Param(m)}"),
        new(@"^kps_score_lowres_(?<p>[wb])$", m => $"roi_heads.keypoint.predictor.kps_score_lowres.{Param(m)}"),
    ];

    // Detectron's ×2 upsampling of the keypoint heatmaps is a transposed convolution with a fixed bilinear kernel; ours
    // (maskrcnn-benchmark's) interpolates, so these blobs have no parameter here (nor a suffix match there).
    static readonly HashSet<string> KeypointUpsampling = new(StringComparer.Ordinal) { "kps_score_w", "kps_score_b" };

    // The ImageNet classifier: MSRA's fc1000, FAIR's pred (which maskrcnn-benchmark renames to fc1000 so that it cannot
    // suffix-match a detector's bbox_pred).
    static readonly HashSet<string> Classifier = new(StringComparer.Ordinal) { "fc1000_w", "fc1000_b", "pred_w", "pred_b" };

    const string MomentumSuffix = "_momentum";

    // Blobs only Detectron names so: dotted schemes never use these underscores.
    [GeneratedRegex(@"^(conv1_w|res_conv1_bn_[sb]|conv1_gn_[sb])$|^res[2-5]_\d+_branch(1|2[abc])_|^fpn_inner_res\d|^(conv_rpn|rpn_cls_logits|rpn_bbox_pred)(_fpn\d+)?_[wb]$|^_\[mask\]_fcn\d|^conv_fcn\d+_[wb]$|^kps_score(_lowres)?_[wb]$",
        RegexOptions.CultureInvariant)]
    private static partial Regex Distinctive();

    // The scale of a folded BatchNorm (a GroupNorm's is _gn_s and has no statistics).
    [GeneratedRegex(@"_bn_s$", RegexOptions.CultureInvariant)]
    private static partial Regex FoldedScale();

    /// <summary>What a blob becomes under our names, with res5 in the backbone (FPN and C5 models).</summary>
    public static NameMapping ToOurs(string blob) => ToOurs(blob, res5InBoxHead: false);

    /// <summary>What a blob becomes under our names.</summary>
    /// <param name="res5InBoxHead">Whether res5 goes to the box head, as in C4 models (<see cref="Res5Placement"/>).</param>
    public static NameMapping ToOurs(string blob, bool res5InBoxHead)
    {
        if (blob.EndsWith(MomentumSuffix, StringComparison.Ordinal))
            return NameMapping.Ignore(blob, "SGD momentum of Detectron's training, not a weight");
        if (Classifier.Contains(blob))
            return NameMapping.Ignore(blob, "ImageNet classifier, not part of the detector");
        if (KeypointUpsampling.Contains(blob))
            return NameMapping.Ignore(blob, "Detectron's fixed bilinear upsampling of the keypoint heatmaps; ours interpolates");
        if (NameRule.Apply(ResNetRules, blob) is { } inBody)
            return NameMapping.To(blob, Res5Placement.Place(inBody, res5InBoxHead));
        return NameRule.Apply(DetectorRules, blob) is { } ours ? NameMapping.To(blob, ours) : NameMapping.NotKnown(blob);
    }

    /// <summary>
    /// For the scale of a folded BatchNorm (<c>*_bn_s</c>) mapped to ours, the names of the running mean and variance
    /// our frozen BatchNorm has beside it; null for any other mapping. Caffe2 folded the statistics into the scale and
    /// bias, so the file has none: a mean of 0 and a variance of 1 keep the affine as it is (with eps 0, as
    /// maskrcnn-benchmark's FrozenBatchNorm2d and ours for its ResNets). The blob decides, not our name: a GroupNorm's
    /// scale (<c>*_gn_s</c>) maps to the same name, but GroupNorm has no statistics.
    /// </summary>
    public static (string Mean, string Var)? FoldedBatchNormStatistics(NameMapping mapping)
    {
        const string weight = ".weight";
        if (mapping.Target is not { } target || !FoldedScale().IsMatch(mapping.Source) || !target.EndsWith(weight, StringComparison.Ordinal))
            return null;
        var module = target[..^weight.Length];
        return ($"{module}.running_mean", $"{module}.running_var");
    }

    /// <summary>
    /// Whether a file is a Detectron C4 detector, whose res5 is the box head's: it has a box classifier but not the
    /// MLP head of FPN and C5 models (fc6). ImageNet backbones do not say; the model they load into does
    /// (<see cref="Res5Placement.InBoxHead"/>).
    /// </summary>
    public static bool FileHasRes5InBoxHead(IReadOnlyCollection<string> blobs) => blobs.Contains("cls_score_w") && !blobs.Contains("fc6_w");

    public static bool IsDistinctive(string blob) => Distinctive().IsMatch(blob);
}
