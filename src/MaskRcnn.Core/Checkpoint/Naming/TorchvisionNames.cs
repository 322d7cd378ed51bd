using System.Text.RegularExpressions;

namespace MaskRcnn.Checkpoint.Naming;

/// <summary>
/// torchvision's Mask R-CNN / Faster R-CNN / Keypoint R-CNN R-50-FPN names ↔ ours (maskrcnn-benchmark's). Both torchvision 0.14's
/// names (<c>inner_blocks.0.0</c>, <c>rpn.head.conv.0.0</c>, <c>mask_head.0.0</c>, from its Conv2dNormActivation
/// wrappers) and the older ones without the extra <c>.0</c> are read; the 0.14 names are written. ImageNet
/// classification files (<c>resnet50-*.pth</c>: <c>conv1</c>, <c>bn1</c>, <c>layerN</c>, <c>fc</c>; <c>vgg16-*.pth</c>:
/// <c>features.N</c>, <c>classifier</c>) are read as a detector's backbone body, their classifier ignored.
/// </summary>
public static partial class TorchvisionNames
{
    // Parameter-name patterns shared with the other schemes that use torchvision's ResNet layout.
    internal const string Bn = "(?<p>weight|bias|running_mean|running_var)";
    internal const string WB = "(?<p>weight|bias)";
    internal const string LayerParam = @"(?<p>conv[123]\.weight|bn[123]\.(weight|bias|running_mean|running_var)|downsample\.0\.weight|downsample\.1\.(weight|bias|running_mean|running_var))";

    static readonly NameRule[] ToOursRules =
    [
        new(@"^backbone\.body\.conv1\.weight$", _ => "backbone.body.stem.conv1.weight"),
        new($@"^backbone\.body\.bn1\.{Bn}$", m => $"backbone.body.stem.bn1.{m.Groups["p"]}"),
        new($@"^backbone\.body\.layer(?<l>[1-4])\.(?<b>\d+)\.{LayerParam}$", m => $"backbone.body.layer{m.Groups["l"]}.{m.Groups["b"]}.{m.Groups["p"]}"),
        new($@"^backbone\.fpn\.inner_blocks\.(?<i>\d+)(\.0)?\.{WB}$", m => $"backbone.fpn.fpn_inner{NameRule.Shift(m, "i", 1)}.{m.Groups["p"]}"),
        new($@"^backbone\.fpn\.layer_blocks\.(?<i>\d+)(\.0)?\.{WB}$", m => $"backbone.fpn.fpn_layer{NameRule.Shift(m, "i", 1)}.{m.Groups["p"]}"),
        new($@"^backbone\.fpn\.extra_blocks\.(?<l>p6|p7)\.{WB}$", m => $"backbone.fpn.top_blocks.{m.Groups["l"]}.{m.Groups["p"]}"),
        new($@"^rpn\.head\.conv(\.0\.0)?\.{WB}$", m => $"rpn.head.conv.{m.Groups["p"]}"),
        new($@"^rpn\.head\.(?<l>cls_logits|bbox_pred)\.{WB}$", m => $"rpn.head.{m.Groups["l"]}.{m.Groups["p"]}"),
        new($@"^roi_heads\.box_head\.(?<l>fc6|fc7)\.{WB}$", m => $"roi_heads.box.feature_extractor.{m.Groups["l"]}.{m.Groups["p"]}"),
        new($@"^roi_heads\.box_predictor\.(?<l>cls_score|bbox_pred)\.{WB}$", m => $"roi_heads.box.predictor.{m.Groups["l"]}.{m.Groups["p"]}"),
        new($@"^roi_heads\.mask_head\.(?<i>\d+)\.0\.{WB}$", m => $"roi_heads.mask.feature_extractor.mask_fcn{NameRule.Shift(m, "i", 1)}.{m.Groups["p"]}"),
        new($@"^roi_heads\.mask_head\.mask_fcn(?<i>[1-9]\d*)\.{WB}$", m => $"roi_heads.mask.feature_extractor.mask_fcn{m.Groups["i"]}.{m.Groups["p"]}"),
        new($@"^roi_heads\.mask_predictor\.(?<l>conv5_mask|mask_fcn_logits)\.{WB}$", m => $"roi_heads.mask.predictor.{m.Groups["l"]}.{m.Groups["p"]}"),
        // Keypoint R-CNN: torchvision's keypoint_head is one Sequential of conv, ReLU pairs, so its convs sit at even indices.
        new($@"^roi_heads\.keypoint_head\.(?<i>\d*[02468])\.{WB}$", m => $"roi_heads.keypoint.feature_extractor.conv_fcn{int.Parse(m.Groups["i"].Value) / 2 + 1}.{m.Groups["p"]}"),
        new($@"^roi_heads\.keypoint_predictor\.kps_score_lowres\.{WB}$", m => $"roi_heads.keypoint.predictor.kps_score_lowres.{m.Groups["p"]}"),
        // RetinaNet's head: torchvision's conv.K(.0) towers are maskrcnn-benchmark's Sequential with ReLUs between (index 2K).
        new($@"^head\.classification_head\.conv\.(?<i>\d+)(\.0)?\.{WB}$", m => $"rpn.head.cls_tower.{2 * int.Parse(m.Groups["i"].Value)}.{m.Groups["p"]}"),
        new($@"^head\.regression_head\.conv\.(?<i>\d+)(\.0)?\.{WB}$", m => $"rpn.head.bbox_tower.{2 * int.Parse(m.Groups["i"].Value)}.{m.Groups["p"]}"),
        new($@"^head\.classification_head\.cls_logits\.{WB}$", m => $"rpn.head.cls_logits.{m.Groups["p"]}"),
        new($@"^head\.regression_head\.bbox_reg\.{WB}$", m => $"rpn.head.bbox_pred.{m.Groups["p"]}"),
    ];

    /// <summary>The inverse of <see cref="ToOursRules"/>, writing torchvision 0.14's names.</summary>
    static readonly NameRule[] FromOursRules =
    [
        new(@"^backbone\.body\.stem\.conv1\.weight$", _ => "backbone.body.conv1.weight"),
        new(@"^backbone\.body\.stem\.bn1\.(?<p>weight|bias|running_mean|running_var|num_batches_tracked)$", m => $"backbone.body.bn1.{m.Groups["p"]}"),
        new(@"^backbone\.body\.layer(?<l>[1-4])\.(?<b>\d+)\.(?<p>conv[123]\.weight|bn[123]\.(weight|bias|running_mean|running_var|num_batches_tracked)|downsample\.0\.weight|downsample\.1\.(weight|bias|running_mean|running_var|num_batches_tracked))$",
            m => $"backbone.body.layer{m.Groups["l"]}.{m.Groups["b"]}.{m.Groups["p"]}"),
        new($@"^backbone\.fpn\.fpn_inner(?<i>[1-9]\d*)\.{WB}$", m => $"backbone.fpn.inner_blocks.{NameRule.Shift(m, "i", -1)}.0.{m.Groups["p"]}"),
        new($@"^backbone\.fpn\.fpn_layer(?<i>[1-9]\d*)\.{WB}$", m => $"backbone.fpn.layer_blocks.{NameRule.Shift(m, "i", -1)}.0.{m.Groups["p"]}"),
        new($@"^backbone\.fpn\.top_blocks\.(?<l>p6|p7)\.{WB}$", m => $"backbone.fpn.extra_blocks.{m.Groups["l"]}.{m.Groups["p"]}"),
        new($@"^rpn\.head\.conv\.{WB}$", m => $"rpn.head.conv.0.0.{m.Groups["p"]}"),
        new($@"^rpn\.head\.(?<l>cls_logits|bbox_pred)\.{WB}$", m => $"rpn.head.{m.Groups["l"]}.{m.Groups["p"]}"),
        new($@"^roi_heads\.box\.feature_extractor\.(?<l>fc6|fc7)\.{WB}$", m => $"roi_heads.box_head.{m.Groups["l"]}.{m.Groups["p"]}"),
        new($@"^roi_heads\.box\.predictor\.(?<l>cls_score|bbox_pred)\.{WB}$", m => $"roi_heads.box_predictor.{m.Groups["l"]}.{m.Groups["p"]}"),
        new($@"^roi_heads\.mask\.feature_extractor\.mask_fcn(?<i>[1-9]\d*)\.{WB}$", m => $"roi_heads.mask_head.{NameRule.Shift(m, "i", -1)}.0.{m.Groups["p"]}"),
        new($@"^roi_heads\.mask\.predictor\.(?<l>conv5_mask|mask_fcn_logits)\.{WB}$", m => $"roi_heads.mask_predictor.{m.Groups["l"]}.{m.Groups["p"]}"),
        new($@"^roi_heads\.keypoint\.feature_extractor\.conv_fcn(?<i>[1-9]\d*)\.{WB}$", m => $"roi_heads.keypoint_head.{2 * (int.Parse(m.Groups["i"].Value) - 1)}.{m.Groups["p"]}"),
        new($@"^roi_heads\.keypoint\.predictor\.kps_score_lowres\.{WB}$", m => $"roi_heads.keypoint_predictor.kps_score_lowres.{m.Groups["p"]}"),
        new($@"^rpn\.head\.cls_tower\.(?<i>\d*[02468])\.{WB}$", m => $"head.classification_head.conv.{int.Parse(m.Groups["i"].Value) / 2}.0.{m.Groups["p"]}"),
        new($@"^rpn\.head\.bbox_tower\.(?<i>\d*[02468])\.{WB}$", m => $"head.regression_head.conv.{int.Parse(m.Groups["i"].Value) / 2}.0.{m.Groups["p"]}"),
    ];

    /// <summary>Name prefixes only torchvision uses, for telling the schemes apart. detectron2 shares
    /// <c>roi_heads.box_predictor.*</c>, the older <c>roi_heads.mask_head.mask_fcnN</c> and <c>roi_heads.keypoint_head.conv_fcnN</c>, so only torchvision's own
    /// head layers are here.</summary>
    public static readonly string[] DistinctivePrefixes =
    [
        "backbone.body.conv1.", "backbone.body.bn1.", "backbone.fpn.inner_blocks.", "backbone.fpn.layer_blocks.",
        "backbone.fpn.extra_blocks.", "rpn.head.conv.0.", "roi_heads.box_head.fc6.", "roi_heads.box_head.fc7.", "roi_heads.box_head.0.",
        "roi_heads.mask_head.0.", "roi_heads.mask_predictor.", "roi_heads.keypoint_head.0.", "roi_heads.keypoint_predictor.",
        "head.classification_head.", "head.regression_head.",
    ];

    public const string BatchNormCounter = "num_batches_tracked";

    /// <summary>What a torchvision name becomes under our names.</summary>
    public static NameMapping ToOurs(string name)
    {
        if (name.EndsWith("." + BatchNormCounter, StringComparison.Ordinal))
            return NameMapping.Ignore(name, "BatchNorm step counter, unused by frozen BatchNorm");
        if (NameRule.Apply(ToOursRules, name) is { } ours) return NameMapping.To(name, ours);
        if (!ImageNetName().IsMatch(name)) return NameMapping.NotKnown(name);
        return TorchvisionBackboneNames.ToMaskRcnn(name) is { } body
            ? NameMapping.To(name, "backbone." + body)
            : NameMapping.Ignore(name, "ImageNet classifier, not part of a detector");
    }

    [GeneratedRegex(@"^((conv1|bn1)\.[a-z_]+|layer[1-4]\.\d+\.[a-z0-9_.]+|features\.\d+\.(weight|bias)|(fc|classifier\.\d+)\.(weight|bias))$", RegexOptions.CultureInvariant)]
    private static partial Regex ImageNetName();

    [GeneratedRegex(@"^(conv1\.weight|layer1\.0\.conv1\.weight|features\.0\.weight)$", RegexOptions.CultureInvariant)]
    private static partial Regex ImageNetDistinctive();

    /// <summary>torchvision 0.14's name for one of ours, or null when torchvision's model has no such parameter.</summary>
    public static string? FromOurs(string name) => NameRule.Apply(FromOursRules, name);

    /// <summary>
    /// For an exported BatchNorm (the name of its <c>running_var</c>), the name of torchvision's
    /// <c>num_batches_tracked</c> counter beside it: with it the file loads with <c>strict=True</c> into both
    /// torchvision variants (BatchNorm2d needs it; FrozenBatchNorm2d drops it on loading).
    /// </summary>
    public static string? BatchNormCounterBeside(string torchvisionName) =>
        torchvisionName.EndsWith(".running_var", StringComparison.Ordinal)
            ? torchvisionName[..^"running_var".Length] + BatchNormCounter
            : null;

    public static bool IsDistinctive(string name) =>
        DistinctivePrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)) || ImageNetDistinctive().IsMatch(name);
}
