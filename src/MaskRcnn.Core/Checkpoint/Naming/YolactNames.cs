using System.Text.RegularExpressions;
using static MaskRcnn.Checkpoint.Naming.TorchvisionNames;

namespace MaskRcnn.Checkpoint.Naming;

/// <summary>
/// dbolya/yolact's <c>Yolact</c> names ↔ ours, for its ResNet configurations (yolact_base, yolact_resnet50, ...) with
/// the prediction module shared by all levels, as its published weights are. The reference stores its FPN's
/// lateral and output convolutions coarsest first (<c>lat_layers.0</c> is C5's) and numbers its ProtoNet by
/// position in a Sequential with ReLUs and an upsample between the convolutions (0, 2, 4, 8, 10).
/// </summary>
public static partial class YolactNames
{
    // The ProtoNet's convolutions by their index in the reference's Sequential.
    static readonly string[] ProtoLayers = ["conv1", "", "conv2", "", "conv3", "", "", "", "conv4", "", "prototypes"];

    static readonly Dictionary<string, string> HeadLayers = new(StringComparer.Ordinal)
    {
        ["bbox_layer"] = "bbox_pred", ["conf_layer"] = "cls_logits", ["mask_layer"] = "coeff_pred",
    };

    // The reference's FPN has three inputs (C3, C4, C5) and two downsampled levels (P6, P7).
    const int FpnInputs = 3, FpnDownsampled = 2;

    static readonly NameRule[] ToOursRules =
    [
        new(@"^backbone\.conv1\.weight$", _ => "backbone.body.stem.conv1.weight"),
        new($@"^backbone\.bn1\.{Bn}$", m => $"backbone.body.stem.bn1.{m.Groups["p"]}"),
        new($@"^backbone\.layers\.(?<l>[0-3])\.(?<b>\d+)\.{LayerParam}$", m => $"backbone.body.layer{NameRule.Shift(m, "l", 1)}.{m.Groups["b"]}.{m.Groups["p"]}"),
        new($@"^fpn\.lat_layers\.(?<i>[0-2])\.{WB}$", m => $"backbone.fpn.fpn_inner{FpnInputs - NameRule.Shift(m, "i", 0)}.{m.Groups["p"]}"),
        new($@"^fpn\.pred_layers\.(?<i>[0-2])\.{WB}$", m => $"backbone.fpn.fpn_layer{FpnInputs - NameRule.Shift(m, "i", 0)}.{m.Groups["p"]}"),
        new($@"^fpn\.downsample_layers\.(?<i>[01])\.{WB}$", m => $"backbone.fpn.top_blocks.p{NameRule.Shift(m, "i", 6)}.{m.Groups["p"]}"),
        new($@"^proto_net\.(?<i>0|2|4|8|10)\.{WB}$", m => $"proto_net.{ProtoLayers[NameRule.Shift(m, "i", 0)]}.{m.Groups["p"]}"),
        new($@"^prediction_layers\.0\.upfeature\.0\.{WB}$", m => $"head.upfeature.{m.Groups["p"]}"),
        new($@"^prediction_layers\.0\.(?<l>bbox_layer|conf_layer|mask_layer)\.{WB}$", m => $"head.{HeadLayers[m.Groups["l"].Value]}.{m.Groups["p"]}"),
        new($@"^semantic_seg_conv\.{WB}$", m => $"semantic_seg_conv.{m.Groups["p"]}"),
    ];

    /// <summary>The inverse of <see cref="ToOursRules"/>.</summary>
    static readonly NameRule[] FromOursRules =
    [
        new(@"^backbone\.body\.stem\.conv1\.weight$", _ => "backbone.conv1.weight"),
        new($@"^backbone\.body\.stem\.bn1\.{Bn}$", m => $"backbone.bn1.{m.Groups["p"]}"),
        new($@"^backbone\.body\.layer(?<l>[1-4])\.(?<b>\d+)\.{LayerParam}$", m => $"backbone.layers.{NameRule.Shift(m, "l", -1)}.{m.Groups["b"]}.{m.Groups["p"]}"),
        new($@"^backbone\.fpn\.fpn_inner(?<i>[1-3])\.{WB}$", m => $"fpn.lat_layers.{FpnInputs - NameRule.Shift(m, "i", 0)}.{m.Groups["p"]}"),
        new($@"^backbone\.fpn\.fpn_layer(?<i>[1-3])\.{WB}$", m => $"fpn.pred_layers.{FpnInputs - NameRule.Shift(m, "i", 0)}.{m.Groups["p"]}"),
        new($@"^backbone\.fpn\.top_blocks\.p(?<i>[67])\.{WB}$", m => $"fpn.downsample_layers.{NameRule.Shift(m, "i", -6)}.{m.Groups["p"]}"),
        new($@"^proto_net\.(?<l>conv[1-4]|prototypes)\.{WB}$", m => $"proto_net.{Array.IndexOf(ProtoLayers, m.Groups["l"].Value)}.{m.Groups["p"]}"),
        new($@"^head\.upfeature\.{WB}$", m => $"prediction_layers.0.upfeature.0.{m.Groups["p"]}"),
        new($@"^head\.(?<l>bbox_pred|cls_logits|coeff_pred)\.{WB}$", m => $"prediction_layers.0.{HeadLayers.Single(e => e.Value == m.Groups["l"].Value).Key}.{m.Groups["p"]}"),
        new($@"^semantic_seg_conv\.{WB}$", m => $"semantic_seg_conv.{m.Groups["p"]}"),
    ];

    /// <summary>Our layers whose shapes follow the number of classes (the class scores, and the semantic segmentation's C-1 maps).</summary>
    public static readonly string[] ClassSpecificLayers = ["head.cls_logits", "semantic_seg_conv"];

    // Only the reference names so: ours are backbone.body.*, backbone.fpn.* and proto_net.conv1 ... .
    [GeneratedRegex(@"^(backbone\.layers\.|fpn\.(lat|pred|downsample)_layers\.|proto_net\.\d|prediction_layers\.\d)", RegexOptions.CultureInvariant)]
    private static partial Regex Distinctive();

    // Levels beyond P7, from v1.0 weights: the reference's own load_weights drops them when its FPN has fewer.
    [GeneratedRegex(@"^fpn\.downsample_layers\.(?<i>\d+)\.", RegexOptions.CultureInvariant)]
    private static partial Regex DownsampleLayer();

    /// <summary>What a reference name becomes under our names.</summary>
    public static NameMapping ToOurs(string name)
    {
        if (name.EndsWith("." + BatchNormCounter, StringComparison.Ordinal))
            return NameMapping.Ignore(name, "BatchNorm step counter, unused by frozen BatchNorm");
        if (NameRule.Apply(ToOursRules, name) is { } ours) return NameMapping.To(name, ours);
        if (DownsampleLayer().Match(name) is { Success: true } m && int.Parse(m.Groups["i"].Value) >= FpnDownsampled)
            return NameMapping.Ignore(name, "FPN level beyond P7 (v1.0 weights), dropped by the reference's load_weights too");
        // The reference's load_weights drops the backbone names of its first versions (backbone.layerN, not backbone.layers).
        if (name.StartsWith("backbone.layer", StringComparison.Ordinal) && !name.StartsWith("backbone.layers", StringComparison.Ordinal))
            return NameMapping.Ignore(name, "backbone name of the reference's first versions, dropped by its load_weights too");
        return NameMapping.NotKnown(name);
    }

    /// <summary>The reference's name for one of ours, or null when its model has no such parameter (GroupNorm variants among others).</summary>
    public static string? FromOurs(string name) => NameRule.Apply(FromOursRules, name);

    /// <summary>
    /// For an exported BatchNorm (the reference name of its <c>running_var</c>), the name of the <c>num_batches_tracked</c>
    /// counter beside it: the reference's backbone uses BatchNorm2d, so its strict <c>load_state_dict</c> needs one.
    /// </summary>
    public static string? BatchNormCounterBeside(string referenceName) => TorchvisionNames.BatchNormCounterBeside(referenceName);

    public static bool IsDistinctive(string name) => Distinctive().IsMatch(name);

    /// <summary>Whether one of our parameters belongs to a class-specific layer (<see cref="ClassSpecificLayers"/>).</summary>
    public static bool IsClassSpecific(string ourName) => ModuleMembership.BelongsToAny(ourName, ClassSpecificLayers);
}
