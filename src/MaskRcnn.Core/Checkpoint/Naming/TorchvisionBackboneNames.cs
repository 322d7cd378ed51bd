using System.Text.RegularExpressions;

namespace MaskRcnn.Checkpoint.Naming;

/// <summary>
/// torchvision backbone tensor names → ours (maskrcnn-benchmark's). Detection backbones
/// (<c>resnet_fpn_backbone</c>: <c>body.conv1</c>, <c>body.bn1</c>, <c>body.layerN…</c>, <c>fpn.inner_blocks.i</c>,
/// <c>fpn.layer_blocks.i</c>, <c>fpn.extra_blocks.p6/p7</c>, with or without a leading <c>backbone.</c>, which is
/// kept) and ImageNet classification checkpoints (<c>conv1</c>, <c>bn1</c>, <c>layerN…</c>, <c>fc</c>; VGG's
/// <c>features.i</c>, <c>classifier</c>). FPN blocks are read in torchvision 0.14's form
/// (<c>inner_blocks.0.0.weight</c>, with <c>.1.</c> for a norm) and the older one (<c>inner_blocks.0.weight</c>).
/// </summary>
public static partial class TorchvisionBackboneNames
{
    const string BackbonePrefix = "backbone.";

    /// <summary>
    /// Our name for a torchvision backbone name, or null for tensors we do not have by design (BatchNorm's
    /// num_batches_tracked, the classifier of an ImageNet checkpoint).
    /// </summary>
    /// <param name="fpnConvsInSequential">Whether our FPN convolutions sit in Sequential(conv, GN?, ReLU?) — MODEL.FPN.USE_GN
    /// or USE_RELU — so that conv weights are <c>fpn_inner1.0.weight</c> rather than <c>fpn_inner1.weight</c>.</param>
    /// <exception cref="ArgumentException">Not a torchvision backbone name.</exception>
    public static string? ToMaskRcnn(string name, bool fpnConvsInSequential = false)
    {
        var prefix = name.StartsWith(BackbonePrefix, StringComparison.Ordinal) ? BackbonePrefix : "";
        var key = name[prefix.Length..];
        if (key.EndsWith(".num_batches_tracked", StringComparison.Ordinal)) return null;
        if (ClassifierHead().IsMatch(key)) return null;

        if (Stem().Match(key) is { Success: true } stem)
            return $"{prefix}body.stem.{stem.Groups["rest"].Value}";
        if (Stage().Match(key) is { Success: true } stage)
            return $"{prefix}body.{stage.Groups["rest"].Value}";
        if (VggFeatures().Match(key) is { Success: true } vgg)
            return $"{prefix}body.{vgg.Groups["rest"].Value}";
        if (FpnBlock().Match(key) is { Success: true } fpn)
        {
            var ours = fpn.Groups["kind"].Value == "inner" ? "fpn_inner" : "fpn_layer";
            var level = int.Parse(fpn.Groups["i"].Value) + 1;
            var param = fpn.Groups["p"].Value;
            var part = fpn.Groups["part"].Success ? int.Parse(fpn.Groups["part"].Value) : 0;
            if (fpnConvsInSequential) return $"{prefix}fpn.{ours}{level}.{part}.{param}";
            if (part != 0) throw new ArgumentException($"torchvision FPN name {name} is a norm layer, but the FPN has no GroupNorm");
            return $"{prefix}fpn.{ours}{level}.{param}";
        }
        if (TopBlock().Match(key) is { Success: true } top)
            return $"{prefix}fpn.top_blocks.{top.Groups["rest"].Value}";
        throw new ArgumentException($"not a torchvision backbone name: {name}");
    }

    [GeneratedRegex(@"^(body\.)?(?<rest>(conv1|bn1)\.[a-z_]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Stem();

    [GeneratedRegex(@"^(body\.)?(?<rest>layer[1-4]\.\d+\.[a-z0-9_.]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Stage();

    [GeneratedRegex(@"^(body\.)?(?<rest>features\.\d+\.(weight|bias))$", RegexOptions.CultureInvariant)]
    private static partial Regex VggFeatures();

    [GeneratedRegex(@"^fpn\.(?<kind>inner|layer)_blocks\.(?<i>\d+)\.((?<part>\d+)\.)?(?<p>weight|bias)$", RegexOptions.CultureInvariant)]
    private static partial Regex FpnBlock();

    [GeneratedRegex(@"^fpn\.extra_blocks\.(?<rest>p[67]\.(weight|bias))$", RegexOptions.CultureInvariant)]
    private static partial Regex TopBlock();

    [GeneratedRegex(@"^(fc|classifier\.\d+)\.(weight|bias)$", RegexOptions.CultureInvariant)]
    private static partial Regex ClassifierHead();
}
