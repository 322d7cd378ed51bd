using System.Text.Json;
using MaskRcnn.Checkpoint.Naming;

namespace MaskRcnn.Tests.Checkpoint.Naming;

/// <summary>
/// The torchvision map over every name of torchvision 0.14's R-50-FPN Mask R-CNN, Faster R-CNN and Keypoint R-CNN state dicts
/// (scripts/dump_state_dict_names.py), against maskrcnn-benchmark's names written out here from its rules.
/// </summary>
public class TorchvisionNameMapTests
{
    static List<(string Name, long[] Shape)> TorchvisionNames(string model) => MaskRcnn.Tests.Modeling.TorchvisionStateDicts.Names(model);

    /// <summary>maskrcnn-benchmark's parameter and buffer names of R-50-FPN Mask R-CNN (FrozenBatchNorm, no GroupNorm), from its modules.</summary>
    static List<string> MaskRcnnBenchmarkR50Fpn(bool mask, bool keypoint = false)
    {
        string[] bn = ["weight", "bias", "running_mean", "running_var"];
        string[] wb = ["weight", "bias"];
        var names = new List<string> { "backbone.body.stem.conv1.weight" };
        names.AddRange(bn.Select(p => $"backbone.body.stem.bn1.{p}"));
        int[] blocks = [3, 4, 6, 3];
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
        for (var i = 1; i <= 4; i++)
        {
            names.AddRange(wb.Select(p => $"backbone.fpn.fpn_inner{i}.{p}"));
            names.AddRange(wb.Select(p => $"backbone.fpn.fpn_layer{i}.{p}"));
        }
        foreach (var layer in new[] { "conv", "cls_logits", "bbox_pred" }) names.AddRange(wb.Select(p => $"rpn.head.{layer}.{p}"));
        foreach (var layer in new[] { "fc6", "fc7" }) names.AddRange(wb.Select(p => $"roi_heads.box.feature_extractor.{layer}.{p}"));
        foreach (var layer in new[] { "cls_score", "bbox_pred" }) names.AddRange(wb.Select(p => $"roi_heads.box.predictor.{layer}.{p}"));
        if (mask)
        {
            for (var i = 1; i <= 4; i++) names.AddRange(wb.Select(p => $"roi_heads.mask.feature_extractor.mask_fcn{i}.{p}"));
            foreach (var layer in new[] { "conv5_mask", "mask_fcn_logits" }) names.AddRange(wb.Select(p => $"roi_heads.mask.predictor.{layer}.{p}"));
        }
        if (keypoint)
        {
            for (var i = 1; i <= 8; i++) names.AddRange(wb.Select(p => $"roi_heads.keypoint.feature_extractor.conv_fcn{i}.{p}"));
            names.AddRange(wb.Select(p => $"roi_heads.keypoint.predictor.kps_score_lowres.{p}"));
        }
        return names;
    }

    [Theory]
    [InlineData("maskrcnn_resnet50_fpn", true, false, 360)]
    [InlineData("fasterrcnn_resnet50_fpn", false, false, 348)]
    [InlineData("keypointrcnn_resnet50_fpn", false, true, 366)]
    public void EveryTorchvisionNameMapsOneToOneOntoMaskRcnnBenchmarksNames(string model, bool mask, bool keypoint, int count)
    {
        var torchvision = TorchvisionNames(model);
        Assert.Equal(count, torchvision.Count);
        var mapped = new Dictionary<string, string>();
        foreach (var (name, shape) in torchvision)
        {
            var mapping = MaskRcnn.Checkpoint.Naming.TorchvisionNames.ToOurs(name);
            if (mapping.Kind == NameMappingKind.Ignored)
            {
                Assert.EndsWith(".num_batches_tracked", name);
                Assert.Empty(shape);
                continue;
            }
            Assert.True(mapping.Kind is NameMappingKind.Renamed or NameMappingKind.Kept, $"{name} is {mapping.Kind}");
            Assert.True(mapped.TryAdd(mapping.Target!, name), $"{name} and {mapped.GetValueOrDefault(mapping.Target!)} both map to {mapping.Target}");
        }
        var expected = MaskRcnnBenchmarkR50Fpn(mask, keypoint);
        Assert.Equal(expected.Count, expected.Distinct().Count());
        Assert.Equal(expected.Order(StringComparer.Ordinal), mapped.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(53, torchvision.Count(t => t.Name.EndsWith(".num_batches_tracked", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("maskrcnn_resnet50_fpn")]
    [InlineData("keypointrcnn_resnet50_fpn")]
    public void ExportWritesTorchvisionsOwnNamesBack(string model)
    {
        var torchvision = TorchvisionNames(model).Select(t => t.Name).Where(n => !n.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
        foreach (var name in torchvision)
            Assert.Equal(name, MaskRcnn.Checkpoint.Naming.TorchvisionNames.FromOurs(MaskRcnn.Checkpoint.Naming.TorchvisionNames.ToOurs(name).Target!));
        // ...including every counter, beside each BatchNorm's running_var.
        var counters = torchvision.Select(MaskRcnn.Checkpoint.Naming.TorchvisionNames.BatchNormCounterBeside).OfType<string>();
        Assert.Equal(TorchvisionNames(model).Select(t => t.Name).Where(n => n.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).Order(),
            counters.Order());
    }

    [Theory]
    [InlineData("backbone.fpn.inner_blocks.0.weight", "backbone.fpn.fpn_inner1.weight")]
    [InlineData("backbone.fpn.inner_blocks.3.bias", "backbone.fpn.fpn_inner4.bias")]
    [InlineData("backbone.fpn.layer_blocks.2.weight", "backbone.fpn.fpn_layer3.weight")]
    [InlineData("rpn.head.conv.weight", "rpn.head.conv.weight")]
    [InlineData("roi_heads.mask_head.mask_fcn1.weight", "roi_heads.mask.feature_extractor.mask_fcn1.weight")]
    [InlineData("roi_heads.mask_head.mask_fcn4.bias", "roi_heads.mask.feature_extractor.mask_fcn4.bias")]
    [InlineData("backbone.fpn.extra_blocks.p6.weight", "backbone.fpn.top_blocks.p6.weight")]
    public void OlderTorchvisionNamesMapToo(string torchvision, string ours) =>
        Assert.Equal(ours, MaskRcnn.Checkpoint.Naming.TorchvisionNames.ToOurs(torchvision).Target);

    /// <summary>torchvision's keypoint_head is a Sequential of (conv, ReLU) pairs: conv k (from 1) is its entry 2(k − 1).</summary>
    [Theory]
    [InlineData("roi_heads.keypoint_head.0.weight", "roi_heads.keypoint.feature_extractor.conv_fcn1.weight")]
    [InlineData("roi_heads.keypoint_head.14.bias", "roi_heads.keypoint.feature_extractor.conv_fcn8.bias")]
    [InlineData("roi_heads.keypoint_predictor.kps_score_lowres.weight", "roi_heads.keypoint.predictor.kps_score_lowres.weight")]
    [InlineData("roi_heads.keypoint_head.6.weight", "roi_heads.keypoint.feature_extractor.conv_fcn4.weight")]
    [InlineData("roi_heads.keypoint_predictor.kps_score_lowres.bias", "roi_heads.keypoint.predictor.kps_score_lowres.bias")]
    public void KeypointHeadNamesMapBothWays(string torchvision, string ours)
    {
        Assert.Equal(ours, MaskRcnn.Checkpoint.Naming.TorchvisionNames.ToOurs(torchvision).Target);
        Assert.Equal(torchvision, MaskRcnn.Checkpoint.Naming.TorchvisionNames.FromOurs(ours));
    }

    [Theory]
    [InlineData("rpn.head.conv.1.0.weight")]                 // maskrcnn_resnet50_fpn_v2: two RPN convs
    [InlineData("backbone.fpn.inner_blocks.0.1.weight")]     // v2: BatchNorm inside the FPN
    [InlineData("roi_heads.box_head.0.0.weight")]            // v2: convolutional box head
    [InlineData("backbone.body.layer5.0.conv1.weight")]
    [InlineData("backbone.body.layer1.0.conv4.weight")]
    [InlineData("roi_heads.mask_head.mask_fcn0.weight")]
    [InlineData("roi_heads.keypoint_head.1.weight")]         // a ReLU's index: no parameters
    [InlineData("roi_heads.keypoint_head.conv_fcn1.weight")] // detectron2's keypoint head
    public void NamesOutsideTheR50FpnModelAreUnknown(string name) =>
        Assert.Equal(NameMappingKind.Unknown, MaskRcnn.Checkpoint.Naming.TorchvisionNames.ToOurs(name).Kind);

    [Theory]
    [InlineData("backbone.fpn.fpn_inner1.0.weight")]         // GroupNorm FPN
    [InlineData("roi_heads.box.feature_extractor.head.layer4.0.conv1.weight")] // C4 head
    [InlineData("rpn.anchor_generator.cell_anchors.0")]
    [InlineData("roi_heads.keypoint.feature_extractor.conv_fcn0.weight")]
    public void OurNamesWithoutATorchvisionCounterpartDoNotExport(string name) =>
        Assert.Null(MaskRcnn.Checkpoint.Naming.TorchvisionNames.FromOurs(name));

    [Fact]
    public void MaskRcnnBenchmarkNamesLoseTheDataParallelPrefixAndTheAnchors()
    {
        Assert.Equal(NameMapping.To("module.backbone.body.stem.conv1.weight", "backbone.body.stem.conv1.weight"),
            MaskRcnnBenchmarkNames.ToOurs("module.backbone.body.stem.conv1.weight"));
        Assert.Equal(NameMappingKind.Kept, MaskRcnnBenchmarkNames.ToOurs("roi_heads.box.feature_extractor.head.layer4.2.bn3.running_var").Kind);
        Assert.Equal(NameMappingKind.Ignored, MaskRcnnBenchmarkNames.ToOurs("module.rpn.anchor_generator.cell_anchors.4").Kind);
        Assert.True(MaskRcnnBenchmarkNames.IsClassSpecific("roi_heads.mask.predictor.mask_fcn_logits.weight"));
        Assert.False(MaskRcnnBenchmarkNames.IsClassSpecific("roi_heads.mask.predictor.conv5_mask.weight"));
        Assert.False(MaskRcnnBenchmarkNames.IsClassSpecific("roi_heads.box.predictor.cls_scores.weight"));
    }

    [Fact]
    public void SchemeIsDetectedFromTheNames()
    {
        var none = new Dictionary<string, string>();
        var torchvision = TorchvisionNames("fasterrcnn_resnet50_fpn").Select(t => t.Name).ToList();
        Assert.Equal(WeightScheme.Torchvision, WeightSchemeDetector.Detect("w", torchvision, none));
        Assert.Equal(WeightScheme.Torchvision, WeightSchemeDetector.Detect("w", TorchvisionNames("keypointrcnn_resnet50_fpn").Select(t => t.Name), none));
        // A head alone (a fine-tuned keypoint head) is still recognised as torchvision's.
        Assert.Equal(WeightScheme.Torchvision, WeightSchemeDetector.Detect("w", ["roi_heads.keypoint_head.0.weight", "roi_heads.keypoint_predictor.kps_score_lowres.weight"], none));
        var benchmark = MaskRcnnBenchmarkR50Fpn(mask: true);
        Assert.Equal(WeightScheme.MaskRcnnBenchmark, WeightSchemeDetector.Detect("w", benchmark, none));
        Assert.Equal(WeightScheme.MaskRcnnBenchmark, WeightSchemeDetector.Detect("w", benchmark.Select(n => "module." + n), none));
        Assert.Equal(WeightScheme.MaskRcnn, WeightSchemeDetector.Detect("w", benchmark,
            new Dictionary<string, string> { ["format"] = CheckpointFormat.FormatName }));

        // torchvision's ImageNet classifiers are torchvision's too (a backbone body).
        Assert.Equal(WeightScheme.Torchvision, WeightSchemeDetector.Detect("w", ["conv1.weight", "bn1.weight", "fc.weight", "fc.bias"], none));
        var neither = Assert.Throws<WeightFileException>(() => WeightSchemeDetector.Detect("w.safetensors", ["encoder.conv1.weight", "encoder.bn1.weight", "head.weight", "head.bias"], none));
        Assert.Equal("w.safetensors: names are neither torchvision's Mask R-CNN (backbone.body.conv1.weight, roi_heads.box_head.*) or ImageNet classifiers " +
            "(conv1.weight, layer1.0.conv1.weight, features.0.weight), maskrcnn-benchmark's " +
            "(backbone.body.stem.conv1.weight, roi_heads.box.*), dbolya/yolact's (backbone.layers.*, fpn.lat_layers.*, proto_net.0.*), " +
            "Detectron's Caffe2 blobs (conv1_w, res2_0_branch2a_w, fpn_inner_res5_2_sum_w) nor detectron2's " +
            "(backbone.bottom_up.*, proposal_generator.*, res2.0.conv1.*); " +
            "first names: encoder.conv1.weight, encoder.bn1.weight, head.weight, ...", neither.Message);
        var mixed = Assert.Throws<WeightFileException>(() => WeightSchemeDetector.Detect("w.safetensors", ["backbone.body.conv1.weight", "roi_heads.box.predictor.cls_score.weight"], none));
        Assert.Contains("mixes torchvision names (backbone.body.conv1.weight) with maskrcnn-benchmark names (roi_heads.box.predictor.cls_score.weight)", mixed.Message);
        Assert.Contains("the file has no tensors", Assert.Throws<WeightFileException>(() => WeightSchemeDetector.Detect("w", [], none)).Message);
    }
}
