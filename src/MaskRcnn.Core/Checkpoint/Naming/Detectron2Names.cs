using System.Text.RegularExpressions;
using static MaskRcnn.Checkpoint.Naming.TorchvisionNames;

namespace MaskRcnn.Checkpoint.Naming;

/// <summary>
/// detectron2's names → ours: its model zoo's Faster/Mask/Keypoint R-CNN (R-50/101, X-101, FPN and C4), and its backbone files
/// (torchvision's ResNets converted by tools/convert-torchvision-to-d2.py: <c>stem.conv1.weight</c>,
/// <c>res2.0.conv1.norm.weight</c>, <c>res2.0.shortcut.*</c>). In full models the ResNet sits under
/// <c>backbone.bottom_up.</c> (FPN) or <c>backbone.</c> (C4, with res5 in the box head as <c>roi_heads.res5</c>).
/// detectron2 numbers its FPN convolutions by ResNet stage (<c>fpn_lateral2</c> reads res2) where
/// maskrcnn-benchmark counts from 1 (<c>fpn_inner1</c> reads res2).
/// </summary>
public static partial class Detectron2Names
{
    const string Block = @"res(?<s>[2-5])\.(?<b>0|[1-9]\d*)";

    /// <summary>The ResNet's names, relative to its module, to names relative to our body.</summary>
    static readonly NameRule[] ResNetRules =
    [
        new(@"^stem\.conv1\.weight$", _ => "stem.conv1.weight"),
        new($@"^stem\.conv1\.norm\.{Bn}$", m => $"stem.bn1.{m.Groups["p"]}"),
        new($@"^{Block}\.conv(?<k>[123])\.weight$", m => $"layer{NameRule.Shift(m, "s", -1)}.{m.Groups["b"]}.conv{m.Groups["k"]}.weight"),
        new($@"^{Block}\.conv(?<k>[123])\.norm\.{Bn}$", m => $"layer{NameRule.Shift(m, "s", -1)}.{m.Groups["b"]}.bn{m.Groups["k"]}.{m.Groups["p"]}"),
        new($@"^{Block}\.shortcut\.weight$", m => $"layer{NameRule.Shift(m, "s", -1)}.{m.Groups["b"]}.downsample.0.weight"),
        new($@"^{Block}\.shortcut\.norm\.{Bn}$", m => $"layer{NameRule.Shift(m, "s", -1)}.{m.Groups["b"]}.downsample.1.{m.Groups["p"]}"),
    ];

    static readonly NameRule[] DetectorRules =
    [
        new($@"^backbone\.fpn_lateral(?<s>[2-5])\.{WB}$", m => $"backbone.fpn.fpn_inner{NameRule.Shift(m, "s", -1)}.{m.Groups["p"]}"),
        new($@"^backbone\.fpn_output(?<s>[2-5])\.{WB}$", m => $"backbone.fpn.fpn_layer{NameRule.Shift(m, "s", -1)}.{m.Groups["p"]}"),
        new($@"^backbone\.top_block\.(?<l>p6|p7)\.{WB}$", m => $"backbone.fpn.top_blocks.{m.Groups["l"]}.{m.Groups["p"]}"),
        new($@"^proposal_generator\.rpn_head\.conv\.{WB}$", m => $"rpn.head.conv.{m.Groups["p"]}"),
        new($@"^proposal_generator\.rpn_head\.objectness_logits\.{WB}$", m => $"rpn.head.cls_logits.{m.Groups["p"]}"),
        new($@"^proposal_generator\.rpn_head\.anchor_deltas\.{WB}$", m => $"rpn.head.bbox_pred.{m.Groups["p"]}"),
        new($@"^roi_heads\.box_head\.fc1\.{WB}$", m => $"roi_heads.box.feature_extractor.fc6.{m.Groups["p"]}"),
        new($@"^roi_heads\.box_head\.fc2\.{WB}$", m => $"roi_heads.box.feature_extractor.fc7.{m.Groups["p"]}"),
        new($@"^roi_heads\.mask_head\.mask_fcn(?<i>[1-9]\d*)\.{WB}$", m => $"roi_heads.mask.feature_extractor.mask_fcn{m.Groups["i"]}.{m.Groups["p"]}"),
        new($@"^roi_heads\.mask_head\.deconv\.{WB}$", m => $"roi_heads.mask.predictor.conv5_mask.{m.Groups["p"]}"),
        // Keypoint R-CNN's head (KRCNNConvDeconvUpsampleHead): the same convolutions and transposed convolution as ours.
        new($@"^roi_heads\.keypoint_head\.conv_fcn(?<i>[1-9]\d*)\.{WB}$", m => $"roi_heads.keypoint.feature_extractor.conv_fcn{m.Groups["i"]}.{m.Groups["p"]}"),
        new($@"^roi_heads\.keypoint_head\.score_lowres\.{WB}$", m => $"roi_heads.keypoint.predictor.kps_score_lowres.{m.Groups["p"]}"),
    ];

    // detectron2 orders classes with background last and has no background row in its class-specific box and mask
    // outputs; maskrcnn-benchmark puts background first with a row everywhere. Renaming cannot reorder rows, and
    // cls_score has the same shape in both, so it would load with its classes shifted: these are not loaded.
    const string ClassLayoutReason = "detectron2's class layout (background last, no background box/mask rows) is not ours; left as initialised";

    static readonly string[] ClassSpecificLayers = ["roi_heads.box_predictor.cls_score", "roi_heads.box_predictor.bbox_pred", "roi_heads.mask_head.predictor"];

    // Where the ResNet sits: backbone.bottom_up. (FPN), backbone. (C4), nothing (backbone files).
    [GeneratedRegex(@"^(backbone\.bottom_up\.|backbone\.)?(?<rest>(stem|res[2-5])\..+)$", RegexOptions.CultureInvariant)]
    private static partial Regex InResNet();

    [GeneratedRegex(@"^roi_heads\.(?<rest>res5\..+)$", RegexOptions.CultureInvariant)]
    private static partial Regex InBoxHead();

    [GeneratedRegex(@"^proposal_generator\.anchor_generator\.cell_anchors\.\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex AnchorBuffer();

    // Only detectron2 names so (torchvision's roi_heads.box_predictor.* and mask_head.mask_fcnN are shared, and so not
    // here; torchvision's keypoint head is roi_heads.keypoint_head.N).
    [GeneratedRegex(@"^(backbone\.bottom_up\.|backbone\.(fpn_lateral|fpn_output|top_block\.)|proposal_generator\.|roi_heads\.(res5\.|box_head\.fc[12]\.|mask_head\.(deconv|predictor)\.|keypoint_head\.(conv_fcn\d+|score_lowres)\.)|(backbone\.)?(stem\.conv1\.|res[2-5]\.\d+\.(conv[123]|shortcut)\.))",
        RegexOptions.CultureInvariant)]
    private static partial Regex Distinctive();

    /// <summary>What a detectron2 name becomes under our names, with a backbone file's res5 in the backbone (FPN and C5 models).</summary>
    public static NameMapping ToOurs(string name) => ToOurs(name, res5InBoxHead: false);

    /// <summary>What a detectron2 name becomes under our names.</summary>
    /// <param name="res5InBoxHead">Whether a ResNet's res5 outside a box head goes to ours, as C4 models need for a
    /// backbone file (<see cref="Res5Placement"/>); detectron2's own C4 models name it <c>roi_heads.res5</c>.</param>
    public static NameMapping ToOurs(string name, bool res5InBoxHead)
    {
        if (name.EndsWith("." + BatchNormCounter, StringComparison.Ordinal))
            return NameMapping.Ignore(name, "BatchNorm step counter, unused by frozen BatchNorm");
        if (name is "pixel_mean" or "pixel_std")
            return NameMapping.Ignore(name, "input normalisation, set by INPUT.PIXEL_MEAN/PIXEL_STD");
        if (AnchorBuffer().IsMatch(name)) return NameMapping.Ignore(name, "anchor buffer, recomputed from the config");
        if (ModuleMembership.BelongsToAny(name, ClassSpecificLayers)) return NameMapping.Ignore(name, ClassLayoutReason);
        // convert-torchvision-to-d2.py files the ImageNet classifier under stem.
        if (name is "stem.fc.weight" or "stem.fc.bias") return NameMapping.Ignore(name, "ImageNet classifier, not part of the detector");

        if (InBoxHead().Match(name) is { Success: true } head && NameRule.Apply(ResNetRules, head.Groups["rest"].Value) is { } inHead)
            return NameMapping.To(name, Res5Placement.Place(inHead, res5InBoxHead: true));
        if (InResNet().Match(name) is { Success: true } body && NameRule.Apply(ResNetRules, body.Groups["rest"].Value) is { } inBody)
            return NameMapping.To(name, Res5Placement.Place(inBody, res5InBoxHead));
        return NameRule.Apply(DetectorRules, name) is { } ours ? NameMapping.To(name, ours) : NameMapping.NotKnown(name);
    }

    public static bool IsDistinctive(string name) => Distinctive().IsMatch(name);
}
