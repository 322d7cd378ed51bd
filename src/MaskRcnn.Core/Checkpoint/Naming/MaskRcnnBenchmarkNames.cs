using System.Text.RegularExpressions;

namespace MaskRcnn.Checkpoint.Naming;

/// <summary>
/// maskrcnn-benchmark's names are ours. Its checkpoints may carry DataParallel's <c>module.</c> prefix and the
/// anchor generator's buffers, which are recomputed from the config and so not loaded.
/// </summary>
public static partial class MaskRcnnBenchmarkNames
{
    public const string DataParallelPrefix = "module.";

    /// <summary>Name prefixes only maskrcnn-benchmark (and we) use, for telling the schemes apart.</summary>
    public static readonly string[] DistinctivePrefixes =
    [
        "backbone.body.stem.", "backbone.fpn.fpn_inner", "backbone.fpn.fpn_layer", "backbone.fpn.top_blocks.",
        "rpn.anchor_generator.", "roi_heads.box.", "roi_heads.mask.",
    ];

    /// <summary>
    /// The class-specific layers: their shapes follow the number of classes, so a mismatch there means
    /// fine-tuning to other classes and the layer keeps its fresh initialisation.
    /// </summary>
    public static readonly string[] ClassSpecificLayers =
    [
        "roi_heads.box.predictor.cls_score", "roi_heads.box.predictor.bbox_pred", "roi_heads.mask.predictor.mask_fcn_logits",
    ];

    [GeneratedRegex(@"^rpn\.anchor_generator\.cell_anchors\.\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex AnchorBuffer();

    public static string StripDataParallel(string name) =>
        name.StartsWith(DataParallelPrefix, StringComparison.Ordinal) ? name[DataParallelPrefix.Length..] : name;

    /// <summary>What a maskrcnn-benchmark name becomes under our names: itself, without <c>module.</c>.</summary>
    public static NameMapping ToOurs(string name)
    {
        var bare = StripDataParallel(name);
        if (AnchorBuffer().IsMatch(bare)) return NameMapping.Ignore(name, "anchor buffer, recomputed from the config");
        if (bare.EndsWith("." + TorchvisionNames.BatchNormCounter, StringComparison.Ordinal))
            return NameMapping.Ignore(name, "BatchNorm step counter, unused by frozen BatchNorm");
        return NameMapping.To(name, bare);
    }

    public static bool IsDistinctive(string name)
    {
        var bare = StripDataParallel(name);
        return DistinctivePrefixes.Any(p => bare.StartsWith(p, StringComparison.Ordinal));
    }

    /// <summary>Whether a parameter or buffer belongs to a class-specific layer (<see cref="ClassSpecificLayers"/>).</summary>
    public static bool IsClassSpecific(string name) => ModuleMembership.BelongsToAny(name, ClassSpecificLayers);
}
