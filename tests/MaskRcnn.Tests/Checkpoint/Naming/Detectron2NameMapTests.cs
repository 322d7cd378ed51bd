using MaskRcnn.Checkpoint.Naming;

namespace MaskRcnn.Tests.Checkpoint.Naming;

/// <summary>detectron2's names → ours, name by name, against names written out here from both models' modules.</summary>
public class Detectron2NameMapTests
{
    const string ClassLayout = "detectron2's class layout (background last, no background box/mask rows) is not ours; left as initialised";

    [Theory]
    // The ResNet of a full FPN model (backbone.bottom_up.), of a C4 model (backbone.), and of a backbone file (bare).
    [InlineData("backbone.bottom_up.stem.conv1.weight", "backbone.body.stem.conv1.weight")]
    [InlineData("backbone.bottom_up.stem.conv1.norm.weight", "backbone.body.stem.bn1.weight")]
    [InlineData("backbone.bottom_up.stem.conv1.norm.running_var", "backbone.body.stem.bn1.running_var")]
    [InlineData("backbone.bottom_up.res2.0.shortcut.weight", "backbone.body.layer1.0.downsample.0.weight")]
    [InlineData("backbone.bottom_up.res2.0.shortcut.norm.bias", "backbone.body.layer1.0.downsample.1.bias")]
    [InlineData("backbone.bottom_up.res2.0.conv1.weight", "backbone.body.layer1.0.conv1.weight")]
    [InlineData("backbone.bottom_up.res3.3.conv2.norm.running_mean", "backbone.body.layer2.3.bn2.running_mean")]
    [InlineData("backbone.bottom_up.res4.22.conv3.weight", "backbone.body.layer3.22.conv3.weight")]
    [InlineData("backbone.bottom_up.res5.2.conv3.norm.weight", "backbone.body.layer4.2.bn3.weight")]
    [InlineData("backbone.stem.conv1.weight", "backbone.body.stem.conv1.weight")]
    [InlineData("backbone.res4.5.conv1.norm.weight", "backbone.body.layer3.5.bn1.weight")]
    [InlineData("stem.conv1.weight", "backbone.body.stem.conv1.weight")]
    [InlineData("stem.conv1.norm.running_mean", "backbone.body.stem.bn1.running_mean")]
    [InlineData("res2.0.conv1.norm.weight", "backbone.body.layer1.0.bn1.weight")]
    [InlineData("res2.0.shortcut.weight", "backbone.body.layer1.0.downsample.0.weight")]
    [InlineData("res2.0.shortcut.norm.running_var", "backbone.body.layer1.0.downsample.1.running_var")]
    [InlineData("res5.1.conv2.weight", "backbone.body.layer4.1.conv2.weight")]
    // C4's res5 in the box head.
    [InlineData("roi_heads.res5.0.conv1.weight", "roi_heads.box.feature_extractor.head.layer4.0.conv1.weight")]
    [InlineData("roi_heads.res5.0.shortcut.norm.weight", "roi_heads.box.feature_extractor.head.layer4.0.downsample.1.weight")]
    [InlineData("roi_heads.res5.2.conv3.norm.running_var", "roi_heads.box.feature_extractor.head.layer4.2.bn3.running_var")]
    // FPN: detectron2 numbers by stage (fpn_lateral2 reads res2), maskrcnn-benchmark from 1.
    [InlineData("backbone.fpn_lateral2.weight", "backbone.fpn.fpn_inner1.weight")]
    [InlineData("backbone.fpn_lateral5.bias", "backbone.fpn.fpn_inner4.bias")]
    [InlineData("backbone.fpn_output2.bias", "backbone.fpn.fpn_layer1.bias")]
    [InlineData("backbone.fpn_output4.weight", "backbone.fpn.fpn_layer3.weight")]
    [InlineData("backbone.top_block.p6.weight", "backbone.fpn.top_blocks.p6.weight")]
    [InlineData("backbone.top_block.p7.bias", "backbone.fpn.top_blocks.p7.bias")]
    // RPN, box head, mask head.
    [InlineData("proposal_generator.rpn_head.conv.weight", "rpn.head.conv.weight")]
    [InlineData("proposal_generator.rpn_head.objectness_logits.bias", "rpn.head.cls_logits.bias")]
    [InlineData("proposal_generator.rpn_head.anchor_deltas.weight", "rpn.head.bbox_pred.weight")]
    [InlineData("roi_heads.box_head.fc1.weight", "roi_heads.box.feature_extractor.fc6.weight")]
    [InlineData("roi_heads.box_head.fc2.bias", "roi_heads.box.feature_extractor.fc7.bias")]
    [InlineData("roi_heads.mask_head.mask_fcn1.weight", "roi_heads.mask.feature_extractor.mask_fcn1.weight")]
    [InlineData("roi_heads.mask_head.mask_fcn4.bias", "roi_heads.mask.feature_extractor.mask_fcn4.bias")]
    [InlineData("roi_heads.mask_head.deconv.weight", "roi_heads.mask.predictor.conv5_mask.weight")]
    [InlineData("roi_heads.mask_head.deconv.bias", "roi_heads.mask.predictor.conv5_mask.bias")]
    [InlineData("roi_heads.keypoint_head.conv_fcn1.weight", "roi_heads.keypoint.feature_extractor.conv_fcn1.weight")]
    [InlineData("roi_heads.keypoint_head.conv_fcn8.bias", "roi_heads.keypoint.feature_extractor.conv_fcn8.bias")]
    [InlineData("roi_heads.keypoint_head.score_lowres.weight", "roi_heads.keypoint.predictor.kps_score_lowres.weight")]
    [InlineData("roi_heads.keypoint_head.score_lowres.bias", "roi_heads.keypoint.predictor.kps_score_lowres.bias")]
    public void EachNamePatternMapsToOurName(string name, string ours)
    {
        Assert.Equal(NameMapping.To(name, ours), Detectron2Names.ToOurs(name));
        Assert.Equal(NameMapping.To(name, ours), WeightNameConverter.ToOurs(WeightScheme.Detectron2, name));
    }

    [Theory]
    [InlineData("res5.0.conv1.weight", "roi_heads.box.feature_extractor.head.layer4.0.conv1.weight")]
    [InlineData("backbone.bottom_up.res5.2.shortcut.weight", "roi_heads.box.feature_extractor.head.layer4.2.downsample.0.weight")]
    [InlineData("roi_heads.res5.1.conv2.weight", "roi_heads.box.feature_extractor.head.layer4.1.conv2.weight")]
    [InlineData("res4.0.conv1.weight", "backbone.body.layer3.0.conv1.weight")]
    public void ABackboneFilesRes5GoesToTheBoxHeadWhenTold(string name, string ours) =>
        Assert.Equal(NameMapping.To(name, ours), Detectron2Names.ToOurs(name, res5InBoxHead: true));

    [Theory]
    [InlineData("roi_heads.box_predictor.cls_score.weight", ClassLayout)]
    [InlineData("roi_heads.box_predictor.bbox_pred.bias", ClassLayout)]
    [InlineData("roi_heads.mask_head.predictor.weight", ClassLayout)]
    [InlineData("backbone.bottom_up.res2.0.conv1.norm.num_batches_tracked", "BatchNorm step counter, unused by frozen BatchNorm")]
    [InlineData("pixel_mean", "input normalisation, set by INPUT.PIXEL_MEAN/PIXEL_STD")]
    [InlineData("pixel_std", "input normalisation, set by INPUT.PIXEL_MEAN/PIXEL_STD")]
    [InlineData("proposal_generator.anchor_generator.cell_anchors.0", "anchor buffer, recomputed from the config")]
    [InlineData("stem.fc.weight", "ImageNet classifier, not part of the detector")]
    [InlineData("stem.fc.bias", "ImageNet classifier, not part of the detector")]
    public void WhatDoesNotCarryOverIsIgnoredWithTheReason(string name, string reason) =>
        Assert.Equal(NameMapping.Ignore(name, reason), Detectron2Names.ToOurs(name));

    [Theory]
    [InlineData("roi_heads.keypoint_head.conv_fcn0.weight")]      // keypoint convolutions count from 1
    [InlineData("roi_heads.keypoint_head.conv_fcn_relu1.weight")]
    [InlineData("roi_heads.box_head.conv1.weight")]               // the 4conv1fc head
    [InlineData("roi_heads.box_head.conv1.norm.weight")]
    [InlineData("roi_heads.mask_head.mask_fcn1.norm.weight")]     // a GroupNorm mask head
    [InlineData("roi_heads.box_head.1.fc1.weight")]               // cascade stages
    [InlineData("roi_heads.box_predictor.1.cls_score.weight")]
    [InlineData("backbone.fpn_lateral2.norm.weight")]
    [InlineData("backbone.fpn_lateral6.weight")]
    [InlineData("backbone.bottom_up.res2.0.conv2.conv_offset.weight")] // deformable convolutions
    [InlineData("backbone.bottom_up.res6.0.conv1.weight")]
    [InlineData("backbone.bottom_up.stem.conv2.weight")]
    [InlineData("backbone.bottom_up.res2.0.conv4.weight")]
    [InlineData("roi_heads.res4.0.conv1.weight")]
    [InlineData("sem_seg_head.predictor.weight")]                 // panoptic FPN
    public void NamesOutsideOurModelsAreUnknown(string name) =>
        Assert.Equal(NameMapping.NotKnown(name), Detectron2Names.ToOurs(name));

    [Fact]
    public void KeypointHeadNamesAreDetectron2sButNotTorchvisions()
    {
        Assert.True(Detectron2Names.IsDistinctive("roi_heads.keypoint_head.conv_fcn3.weight"));
        Assert.True(Detectron2Names.IsDistinctive("roi_heads.keypoint_head.score_lowres.bias"));
        Assert.False(Detectron2Names.IsDistinctive("roi_heads.keypoint_head.0.weight")); // torchvision's KeypointRCNNHeads
        Assert.True(Caffe2Names.IsDistinctive("conv_fcn1_w"));
        Assert.True(Caffe2Names.IsDistinctive("kps_score_lowres_b"));
    }

    [Fact]
    public void SchemeIsDetectedFromTheNames()
    {
        var none = new Dictionary<string, string>();
        Assert.Equal(WeightScheme.Detectron2, WeightSchemeDetector.Detect("model_final.pth", Detectron2StateDicts.FpnModel(DetectronBlobs.R50, mask: true), none));
        Assert.Equal(WeightScheme.Detectron2, WeightSchemeDetector.Detect("model_final.pth", Detectron2StateDicts.C4Model(DetectronBlobs.R50, mask: true), none));
        Assert.Equal(WeightScheme.Detectron2, WeightSchemeDetector.Detect("R-50.pkl", Detectron2StateDicts.ConvertedTorchvision(DetectronBlobs.R50), none));
        // Each distinctive name on its own is enough...
        foreach (var name in new[] { "backbone.bottom_up.res2.0.conv1.weight", "backbone.fpn_lateral3.bias", "backbone.fpn_output5.weight", "backbone.top_block.p6.weight",
                     "proposal_generator.rpn_head.conv.weight", "roi_heads.res5.0.conv1.weight", "roi_heads.box_head.fc1.weight", "roi_heads.mask_head.deconv.bias",
                     "roi_heads.mask_head.predictor.weight", "backbone.res3.1.conv2.norm.weight", "stem.conv1.weight", "res4.0.shortcut.weight" })
            Assert.Equal(WeightScheme.Detectron2, WeightSchemeDetector.Detect("w", [name], none));
        // ...while the names torchvision shares (box predictor, older mask_fcnN) are nobody's alone and do not make a
        // torchvision file look mixed.
        Assert.Throws<WeightFileException>(() => WeightSchemeDetector.Detect("w", ["roi_heads.box_predictor.cls_score.weight", "roi_heads.mask_head.mask_fcn1.weight"], none));
        Assert.Equal(WeightScheme.Torchvision, WeightSchemeDetector.Detect("w",
            ["backbone.body.conv1.weight", "roi_heads.box_predictor.cls_score.weight", "roi_heads.mask_head.mask_fcn1.weight", "roi_heads.box_head.fc6.weight"], none));
        var mixed = Assert.Throws<WeightFileException>(() => WeightSchemeDetector.Detect("w.pth", ["backbone.body.stem.conv1.weight", "backbone.bottom_up.stem.conv1.weight"], none));
        Assert.Equal("w.pth: mixes maskrcnn-benchmark names (backbone.body.stem.conv1.weight) with detectron2 names (backbone.bottom_up.stem.conv1.weight); pass --from to choose",
            mixed.Message);
    }

    [Fact]
    public void TheSchemeHasAName()
    {
        Assert.Equal("detectron2", WeightScheme.Detectron2.Name());
        Assert.Equal(WeightScheme.Detectron2, WeightSchemeNames.Parse("detectron2"));
    }

    [Fact]
    public void MappingABackboneFileTakesRes5FromTheCaller()
    {
        var none = new Dictionary<string, string>();
        var names = Detectron2StateDicts.ConvertedTorchvision(DetectronBlobs.R50);
        Assert.Equal("res5.2.conv3.weight", MappedNames.Of("R-50.pkl", names, none).SourceOf["backbone.body.layer4.2.conv3.weight"]);
        Assert.Equal("res5.2.conv3.weight", MappedNames.Of("R-50.pkl", names, none, res5InBoxHead: true).SourceOf["roi_heads.box.feature_extractor.head.layer4.2.conv3.weight"]);
    }
}
