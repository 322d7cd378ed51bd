using System.Text.Json;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.SafeTensors;
using TorchSharp;

namespace MaskRcnn.Tests.Checkpoint.Naming;

/// <summary>
/// The dbolya/yolact map over every name of the reference's yolact_base and yolact_resnet50 state dicts
/// (scripts/make_yolact_names_fixture.py), against our YOLACT names written out here from the mapping table.
/// </summary>
public class YolactNameMapTests
{
    const string Counter = ".num_batches_tracked";

    static List<(string Name, long[] Shape)> ReferenceNames(string model)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("model/yolact_state_dict_names.json")));
        return doc.RootElement.GetProperty("models").GetProperty(model).EnumerateArray()
            .Select(e => (e[0].GetString()!, e[1].EnumerateArray().Select(d => d.GetInt64()).ToArray())).ToList();
    }

    /// <summary>Our YOLACT's parameter and buffer names on a Bottleneck ResNet (frozen BatchNorm, no GroupNorm), from the mapping table.</summary>
    static List<string> OurYolactNames(int[] blocks)
    {
        string[] bn = ["weight", "bias", "running_mean", "running_var"];
        string[] wb = ["weight", "bias"];
        var names = new List<string> { "backbone.body.stem.conv1.weight" };
        names.AddRange(bn.Select(p => $"backbone.body.stem.bn1.{p}"));
        for (var layer = 1; layer <= 4; layer++)
            for (var k = 0; k < blocks[layer - 1]; k++)
            {
                var block = $"backbone.body.layer{layer}.{k}";
                for (var c = 1; c <= 3; c++)
                {
                    names.Add($"{block}.conv{c}.weight");
                    names.AddRange(bn.Select(p => $"{block}.bn{c}.{p}"));
                }
                if (k == 0)
                {
                    names.Add($"{block}.downsample.0.weight");
                    names.AddRange(bn.Select(p => $"{block}.downsample.1.{p}"));
                }
            }
        string[] layers =
        [
            "backbone.fpn.fpn_inner1", "backbone.fpn.fpn_inner2", "backbone.fpn.fpn_inner3",
            "backbone.fpn.fpn_layer1", "backbone.fpn.fpn_layer2", "backbone.fpn.fpn_layer3",
            "backbone.fpn.top_blocks.p6", "backbone.fpn.top_blocks.p7",
            "proto_net.conv1", "proto_net.conv2", "proto_net.conv3", "proto_net.conv4", "proto_net.prototypes",
            "head.upfeature", "head.bbox_pred", "head.cls_logits", "head.coeff_pred", "semantic_seg_conv",
        ];
        foreach (var layer in layers) names.AddRange(wb.Select(p => $"{layer}.{p}"));
        return names;
    }

    static readonly int[] R50 = [3, 4, 6, 3], R101 = [3, 4, 23, 3];

    [Theory]
    [InlineData("yolact_resnet50", 354, 53)]
    [InlineData("yolact_base", 660, 104)]
    public void EveryReferenceNameMapsOneToOneOntoOurNamesAndBack(string model, int count, int counters)
    {
        var reference = ReferenceNames(model);
        Assert.Equal(count, reference.Count);
        var mapped = new Dictionary<string, (string Name, long[] Shape)>();
        foreach (var (name, shape) in reference)
        {
            var mapping = YolactNames.ToOurs(name);
            if (mapping.Kind == NameMappingKind.Ignored)
            {
                Assert.EndsWith(Counter, name);
                Assert.Empty(shape);
                continue;
            }
            Assert.True(mapping.Kind is NameMappingKind.Renamed or NameMappingKind.Kept, $"{name} is {mapping.Kind}");
            Assert.True(mapped.TryAdd(mapping.Target!, (name, shape)), $"{name} and {mapped.GetValueOrDefault(mapping.Target!).Name} both map to {mapping.Target}");
            Assert.Equal(name, YolactNames.FromOurs(mapping.Target!));
        }
        Assert.Equal(counters, reference.Count(t => t.Name.EndsWith(Counter, StringComparison.Ordinal)));
        var expected = OurYolactNames(model == "yolact_base" ? R101 : R50);
        Assert.Equal(expected.Count, expected.Distinct().Count());
        Assert.Equal(expected.Order(StringComparer.Ordinal), mapped.Keys.Order(StringComparer.Ordinal));

        // The shapes pin what the names alone cannot: the reference stores its FPN coarsest first, so our
        // fpn_inner1 (C3's lateral) is its lat_layers.2 and reads 512 channels; P6 and P7 read the FPN's 256.
        long[] Shape(string ours) => mapped[ours].Shape;
        Assert.Equal([256, 512, 1, 1], Shape("backbone.fpn.fpn_inner1.weight"));
        Assert.Equal([256, 1024, 1, 1], Shape("backbone.fpn.fpn_inner2.weight"));
        Assert.Equal([256, 2048, 1, 1], Shape("backbone.fpn.fpn_inner3.weight"));
        Assert.Equal([256, 256, 3, 3], Shape("backbone.fpn.top_blocks.p6.weight"));
        Assert.Equal([256, 256, 3, 3], Shape("proto_net.conv4.weight"));
        Assert.Equal([32, 256, 1, 1], Shape("proto_net.prototypes.weight"));
        // 3 anchors per cell: 4 box deltas, 81 classes (COCO and background), 32 coefficients each; 80 semantic maps.
        Assert.Equal([12, 256, 3, 3], Shape("head.bbox_pred.weight"));
        Assert.Equal([243, 256, 3, 3], Shape("head.cls_logits.weight"));
        Assert.Equal([96, 256, 3, 3], Shape("head.coeff_pred.weight"));
        Assert.Equal([80, 256, 1, 1], Shape("semantic_seg_conv.weight"));
    }

    [Fact]
    public void ExportAddsACounterBesideEveryReferenceBatchNorm()
    {
        var reference = ReferenceNames("yolact_base").Select(t => t.Name).ToList();
        var exported = reference.Where(n => !n.EndsWith(Counter, StringComparison.Ordinal))
            .Select(n => YolactNames.FromOurs(YolactNames.ToOurs(n).Target!)!).ToList();
        var counters = exported.Select(YolactNames.BatchNormCounterBeside).OfType<string>();
        Assert.Equal(reference.Where(n => n.EndsWith(Counter, StringComparison.Ordinal)).Order(), counters.Order());
    }

    [Theory]
    [InlineData("prediction_layers.1.bbox_layer.weight")]               // share_prediction_module off
    [InlineData("prediction_layers.0.score_layer.weight")]              // use_mask_scoring
    [InlineData("prediction_layers.0.upfeature.2.weight")]              // a deeper extra_head_net
    [InlineData("class_existence_fc.weight")]
    [InlineData("maskiou_net.maskiou_net.0.weight")]                    // YOLACT++
    [InlineData("backbone.layers.1.0.conv2.conv_offset_mask.weight")]   // YOLACT++'s deformable convolutions
    [InlineData("backbone.layers.4.0.conv1.weight")]                    // an SSD-style extra backbone layer
    [InlineData("fpn.lat_layers.3.weight")]                             // a fourth FPN input
    [InlineData("proto_net.6.weight")]                                  // the upsample has no weights
    [InlineData("proto_net.12.weight")]
    public void NamesOutsideOurYolactAreUnknown(string name) =>
        Assert.Equal(NameMappingKind.Unknown, YolactNames.ToOurs(name).Kind);

    [Theory]
    [InlineData("fpn.downsample_layers.2.weight", "FPN level beyond P7 (v1.0 weights), dropped by the reference's load_weights too")]
    [InlineData("fpn.downsample_layers.12.bias", "FPN level beyond P7 (v1.0 weights), dropped by the reference's load_weights too")]
    [InlineData("backbone.layer1.0.conv1.weight", "backbone name of the reference's first versions, dropped by its load_weights too")]
    [InlineData("backbone.layers.0.0.bn1.num_batches_tracked", "BatchNorm step counter, unused by frozen BatchNorm")]
    public void NamesTheReferenceItselfDropsAreIgnoredWithTheReason(string name, string reason) =>
        Assert.Equal(NameMapping.Ignore(name, reason), YolactNames.ToOurs(name));

    [Theory]
    [InlineData("backbone.fpn.fpn_layer1.0.weight")]          // MODEL.YOLACT.USE_GN: Sequential(conv, GroupNorm)
    [InlineData("backbone.fpn.fpn_inner2.1.bias")]
    [InlineData("proto_net.conv1.1.weight")]
    [InlineData("head.upfeature.0.weight")]
    [InlineData("backbone.fpn.fpn_inner4.weight")]            // Mask R-CNN's FPN on C2-C5
    [InlineData("backbone.fpn.top_blocks.p8.weight")]
    [InlineData("roi_heads.box.predictor.cls_score.weight")]
    public void OurNamesWithoutAReferenceCounterpartDoNotExport(string name) =>
        Assert.Null(YolactNames.FromOurs(name));

    [Fact]
    public void SchemeIsDetectedFromTheNames()
    {
        var none = new Dictionary<string, string>();
        foreach (var model in new[] { "yolact_base", "yolact_resnet50" })
            Assert.Equal(WeightScheme.Yolact, WeightSchemeDetector.Detect("w", ReferenceNames(model).Select(t => t.Name), none));
        // Each of the reference's distinctive prefixes on its own is enough...
        foreach (var name in new[] { "proto_net.0.weight", "prediction_layers.0.conf_layer.bias", "fpn.lat_layers.1.weight", "backbone.layers.2.5.bn2.bias" })
            Assert.Equal(WeightScheme.Yolact, WeightSchemeDetector.Detect("w", [name], none));
        // ...while our own YOLACT names, saved without our metadata, are maskrcnn-benchmark's (proto_net.conv1 is not proto_net.0).
        Assert.Equal(WeightScheme.MaskRcnnBenchmark, WeightSchemeDetector.Detect("w", OurYolactNames(R50), none));
        var mixed = Assert.Throws<WeightFileException>(() => WeightSchemeDetector.Detect("w.safetensors", ["backbone.body.conv1.weight", "proto_net.0.weight"], none));
        Assert.Equal("w.safetensors: mixes torchvision names (backbone.body.conv1.weight) with yolact names (proto_net.0.weight); pass --from to choose", mixed.Message);
    }

    [Fact]
    public void ClassSpecificLayersAreTheClassScoresAndTheSemanticMaps()
    {
        Assert.True(YolactNames.IsClassSpecific("head.cls_logits.weight"));
        Assert.True(YolactNames.IsClassSpecific("head.cls_logits.bias"));
        Assert.True(YolactNames.IsClassSpecific("semantic_seg_conv.weight"));
        Assert.False(YolactNames.IsClassSpecific("head.bbox_pred.weight"));
        Assert.False(YolactNames.IsClassSpecific("head.coeff_pred.weight"));
        Assert.False(YolactNames.IsClassSpecific("head.cls_logits_extra.weight"));
        Assert.False(YolactNames.IsClassSpecific("roi_heads.box.predictor.cls_score.weight"));
    }

    static StateDict Ours(params string[] names)
    {
        var dict = new StateDict();
        foreach (var name in names) dict.Add(name, torch.ones(1));
        return dict;
    }

    [Fact]
    public void ExportRefusesGroupNormModelsNamingTheWeights()
    {
        using (var gn = Ours("backbone.body.stem.conv1.weight", "backbone.fpn.fpn_layer1.0.weight", "backbone.fpn.fpn_layer1.1.weight",
                   "backbone.fpn.fpn_layer1.1.bias", "proto_net.conv1.0.weight", "head.upfeature.1.weight"))
        {
            var e = Assert.Throws<WeightFileException>(() => YolactExport.FromOurs("gn.safetensors", gn));
            Assert.Equal("gn.safetensors: dbolya/yolact's model has no counterpart for 5 weight(s): backbone.fpn.fpn_layer1.0.weight, " +
                "backbone.fpn.fpn_layer1.1.weight, backbone.fpn.fpn_layer1.1.bias, proto_net.conv1.0.weight, ... " +
                "(only YOLACT with a BatchNorm ResNet and without MODEL.YOLACT.USE_GN exports)", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        // A GroupNorm ResNet has the same names as a BatchNorm one but no running statistics: the reference's BatchNorm2d could not load it.
        using (var gnBody = Ours("backbone.body.stem.conv1.weight", "backbone.body.stem.bn1.weight", "backbone.body.stem.bn1.bias",
                   "backbone.body.layer1.0.downsample.1.weight", "backbone.body.layer1.0.downsample.1.bias"))
        {
            var e = Assert.Throws<WeightFileException>(() => YolactExport.FromOurs("gn.safetensors", gnBody));
            Assert.StartsWith("gn.safetensors: dbolya/yolact's model has no counterpart for 2 weight(s): backbone.body.stem.bn1.weight, " +
                "backbone.body.layer1.0.downsample.1.weight (", e.Message);
        }
    }

    [Fact]
    public void ExportRenamesAndAddsCounters()
    {
        using var ours = Ours("backbone.body.stem.bn1.weight", "backbone.body.stem.bn1.bias", "backbone.body.stem.bn1.running_mean",
            "backbone.body.stem.bn1.running_var", "backbone.fpn.fpn_inner1.weight", "head.coeff_pred.bias");
        using var reference = YolactExport.FromOurs("w", ours);
        Assert.Equal(["backbone.bn1.weight", "backbone.bn1.bias", "backbone.bn1.running_mean", "backbone.bn1.running_var",
            "fpn.lat_layers.2.weight", "prediction_layers.0.mask_layer.bias", "backbone.bn1.num_batches_tracked"], reference.Names);
        Assert.Equal(torch.ScalarType.Int64, reference["backbone.bn1.num_batches_tracked"].dtype);
        Assert.Equal(0L, reference["backbone.bn1.num_batches_tracked"].item<long>());
        Assert.Equal("pt", reference.Metadata["format"]);
    }
}
