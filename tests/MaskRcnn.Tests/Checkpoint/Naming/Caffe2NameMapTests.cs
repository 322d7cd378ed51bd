using MaskRcnn.Checkpoint.Naming;

namespace MaskRcnn.Tests.Checkpoint.Naming;

/// <summary>Detectron's Caffe2 blob names → ours, blob by blob, against names written out here from maskrcnn-benchmark's renaming.</summary>
public class Caffe2NameMapTests
{
    [Theory]
    // ImageNet ResNets (MSRA R-50/101/152, FAIR X-101): stem, then res2..res5 → layer1..layer4, branch1 → downsample.
    [InlineData("conv1_w", "backbone.body.stem.conv1.weight")]
    [InlineData("res_conv1_bn_s", "backbone.body.stem.bn1.weight")]
    [InlineData("res_conv1_bn_b", "backbone.body.stem.bn1.bias")]
    [InlineData("res2_0_branch1_w", "backbone.body.layer1.0.downsample.0.weight")]
    [InlineData("res2_0_branch1_bn_s", "backbone.body.layer1.0.downsample.1.weight")]
    [InlineData("res2_0_branch1_bn_b", "backbone.body.layer1.0.downsample.1.bias")]
    [InlineData("res2_0_branch2a_w", "backbone.body.layer1.0.conv1.weight")]
    [InlineData("res2_2_branch2a_bn_s", "backbone.body.layer1.2.bn1.weight")]
    [InlineData("res3_1_branch2b_w", "backbone.body.layer2.1.conv2.weight")]
    [InlineData("res3_3_branch2b_bn_b", "backbone.body.layer2.3.bn2.bias")]
    [InlineData("res4_5_branch2c_w", "backbone.body.layer3.5.conv3.weight")]
    [InlineData("res4_22_branch2c_bn_s", "backbone.body.layer3.22.bn3.weight")]
    [InlineData("res4_35_branch2a_w", "backbone.body.layer3.35.conv1.weight")]
    [InlineData("res5_0_branch1_w", "backbone.body.layer4.0.downsample.0.weight")]
    [InlineData("res5_2_branch2c_bn_b", "backbone.body.layer4.2.bn3.bias")]
    // GroupNorm backbones (R-50-GN, R-101-GN): the stem is conv1 + conv1_gn, the norms _gn_s/_gn_b.
    [InlineData("conv1_gn_s", "backbone.body.stem.bn1.weight")]
    [InlineData("conv1_gn_b", "backbone.body.stem.bn1.bias")]
    [InlineData("res2_0_branch1_gn_s", "backbone.body.layer1.0.downsample.1.weight")]
    [InlineData("res2_0_branch1_gn_b", "backbone.body.layer1.0.downsample.1.bias")]
    [InlineData("res3_2_branch2a_gn_s", "backbone.body.layer2.2.bn1.weight")]
    [InlineData("res4_22_branch2b_gn_b", "backbone.body.layer3.22.bn2.bias")]
    [InlineData("res5_1_branch2c_gn_s", "backbone.body.layer4.1.bn3.weight")]
    // FPN: the top level (res5) has no lateral suffix; each level is named by its stage's last block, which depends on the depth.
    [InlineData("fpn_inner_res5_2_sum_w", "backbone.fpn.fpn_inner4.weight")]
    [InlineData("fpn_inner_res5_2_sum_b", "backbone.fpn.fpn_inner4.bias")]
    [InlineData("fpn_inner_res4_5_sum_lateral_w", "backbone.fpn.fpn_inner3.weight")]
    [InlineData("fpn_inner_res4_22_sum_lateral_b", "backbone.fpn.fpn_inner3.bias")]
    [InlineData("fpn_inner_res4_35_sum_lateral_w", "backbone.fpn.fpn_inner3.weight")]
    [InlineData("fpn_inner_res3_3_sum_lateral_w", "backbone.fpn.fpn_inner2.weight")]
    [InlineData("fpn_inner_res3_7_sum_lateral_b", "backbone.fpn.fpn_inner2.bias")]
    [InlineData("fpn_inner_res2_2_sum_lateral_w", "backbone.fpn.fpn_inner1.weight")]
    [InlineData("fpn_res5_2_sum_w", "backbone.fpn.fpn_layer4.weight")]
    [InlineData("fpn_res4_5_sum_b", "backbone.fpn.fpn_layer3.bias")]
    [InlineData("fpn_res4_22_sum_w", "backbone.fpn.fpn_layer3.weight")]
    [InlineData("fpn_res3_3_sum_w", "backbone.fpn.fpn_layer2.weight")]
    [InlineData("fpn_res2_2_sum_b", "backbone.fpn.fpn_layer1.bias")]
    [InlineData("fpn_6_w", "backbone.fpn.top_blocks.p6.weight")]                    // RetinaNet's extra levels
    [InlineData("fpn_7_b", "backbone.fpn.top_blocks.p7.bias")]
    // RPN: FPN's, shared over levels and stored at fpn2; C4's, without a level.
    [InlineData("conv_rpn_fpn2_w", "rpn.head.conv.weight")]
    [InlineData("conv_rpn_fpn2_b", "rpn.head.conv.bias")]
    [InlineData("rpn_cls_logits_fpn2_w", "rpn.head.cls_logits.weight")]
    [InlineData("rpn_bbox_pred_fpn2_b", "rpn.head.bbox_pred.bias")]
    [InlineData("conv_rpn_w", "rpn.head.conv.weight")]
    [InlineData("rpn_cls_logits_b", "rpn.head.cls_logits.bias")]
    [InlineData("rpn_bbox_pred_w", "rpn.head.bbox_pred.weight")]
    // Box head.
    [InlineData("fc6_w", "roi_heads.box.feature_extractor.fc6.weight")]
    [InlineData("fc7_b", "roi_heads.box.feature_extractor.fc7.bias")]
    [InlineData("cls_score_w", "roi_heads.box.predictor.cls_score.weight")]
    [InlineData("cls_score_b", "roi_heads.box.predictor.cls_score.bias")]
    [InlineData("bbox_pred_w", "roi_heads.box.predictor.bbox_pred.weight")]
    [InlineData("bbox_pred_b", "roi_heads.box.predictor.bbox_pred.bias")]
    // Mask head.
    [InlineData("_[mask]_fcn1_w", "roi_heads.mask.feature_extractor.mask_fcn1.weight")]
    [InlineData("_[mask]_fcn4_b", "roi_heads.mask.feature_extractor.mask_fcn4.bias")]
    [InlineData("conv5_mask_w", "roi_heads.mask.predictor.conv5_mask.weight")]
    [InlineData("conv5_mask_b", "roi_heads.mask.predictor.conv5_mask.bias")]
    [InlineData("mask_fcn_logits_w", "roi_heads.mask.predictor.mask_fcn_logits.weight")]
    [InlineData("mask_fcn_logits_b", "roi_heads.mask.predictor.mask_fcn_logits.bias")]
    // Keypoint head (c2_model_loading's conv.fcn → conv_fcn, kps.score.lowres → kps_score_lowres, then suffix matching).
    [InlineData("conv_fcn1_w", "roi_heads.keypoint.feature_extractor.conv_fcn1.weight")]
    [InlineData("conv_fcn8_b", "roi_heads.keypoint.feature_extractor.conv_fcn8.bias")]
    [InlineData("kps_score_lowres_w", "roi_heads.keypoint.predictor.kps_score_lowres.weight")]
    [InlineData("kps_score_lowres_b", "roi_heads.keypoint.predictor.kps_score_lowres.bias")]
    public void EachBlobPatternMapsToOurName(string blob, string ours)
    {
        Assert.Equal(NameMapping.To(blob, ours), Caffe2Names.ToOurs(blob));
        Assert.Equal(NameMapping.To(blob, ours), WeightNameConverter.ToOurs(WeightScheme.Caffe2, blob));
    }

    [Theory]
    [InlineData("res5_0_branch2a_w", "roi_heads.box.feature_extractor.head.layer4.0.conv1.weight")]
    [InlineData("res5_0_branch1_bn_s", "roi_heads.box.feature_extractor.head.layer4.0.downsample.1.weight")]
    [InlineData("res5_2_branch2c_bn_b", "roi_heads.box.feature_extractor.head.layer4.2.bn3.bias")]
    [InlineData("res4_5_branch2c_w", "backbone.body.layer3.5.conv3.weight")]
    [InlineData("conv1_w", "backbone.body.stem.conv1.weight")]
    [InlineData("conv_rpn_w", "rpn.head.conv.weight")]
    public void InC4ModelsRes5IsTheBoxHeads(string blob, string ours) =>
        Assert.Equal(NameMapping.To(blob, ours), Caffe2Names.ToOurs(blob, res5InBoxHead: true));

    [Theory]
    [InlineData("res2_0_branch2a_w_momentum", "SGD momentum of Detectron's training, not a weight")]
    [InlineData("fpn_inner_res5_2_sum_b_momentum", "SGD momentum of Detectron's training, not a weight")]
    [InlineData("fc1000_w", "ImageNet classifier, not part of the detector")]
    [InlineData("fc1000_b", "ImageNet classifier, not part of the detector")]
    [InlineData("pred_w", "ImageNet classifier, not part of the detector")]
    [InlineData("pred_b", "ImageNet classifier, not part of the detector")]
    [InlineData("kps_score_w", "Detectron's fixed bilinear upsampling of the keypoint heatmaps; ours interpolates")]
    [InlineData("kps_score_b", "Detectron's fixed bilinear upsampling of the keypoint heatmaps; ours interpolates")]
    public void MomentumAndTheClassifierAreIgnoredWithTheReason(string blob, string reason) =>
        Assert.Equal(NameMapping.Ignore(blob, reason), Caffe2Names.ToOurs(blob));

    [Theory]
    [InlineData("conv_fcn0_w")]                          // keypoint convolutions count from 1
    [InlineData("kps_deconv_w")]                         // KRCNN.USE_DECONV's extra layer
    [InlineData("fpn_inner_res5_2_sum_lateral_w")]       // the top level has no lateral
    [InlineData("fpn_inner_res4_5_sum_w")]               // the others have one
    [InlineData("fpn_inner_res5_2_sum_gn_s")]            // GroupNorm FPN (FPN.USE_GN)
    [InlineData("fpn_8_w")]
    [InlineData("conv_rpn_fpn3_w")]                      // the RPN is stored at its finest level only
    [InlineData("rpn_cls_logits_fpn3_b")]
    [InlineData("res6_0_branch2a_w")]
    [InlineData("res2_0_branch2d_w")]
    [InlineData("res2_0_branch2a_b")]                    // Detectron's ResNet convolutions have no bias
    [InlineData("res2_01_branch2a_w")]
    [InlineData("res2_0_branch2a_bn_rm")]                // SpatialBN statistics: Detectron folds them away
    [InlineData("head_conv1_w")]                         // the 4conv1fc box head
    [InlineData("retnet_cls_conv_n0_fpn3_w")]            // RetinaNet's head
    [InlineData("conv1.weight")]
    public void BlobsOutsideOurModelsAreUnknown(string blob) =>
        Assert.Equal(NameMapping.NotKnown(blob), Caffe2Names.ToOurs(blob));

    [Fact]
    public void FoldedBatchNormsNameTheStatisticsBesideTheirScale()
    {
        Assert.Equal(("backbone.body.stem.bn1.running_mean", "backbone.body.stem.bn1.running_var"),
            Caffe2Names.FoldedBatchNormStatistics(Caffe2Names.ToOurs("res_conv1_bn_s")));
        Assert.Equal(("backbone.body.layer1.0.downsample.1.running_mean", "backbone.body.layer1.0.downsample.1.running_var"),
            Caffe2Names.FoldedBatchNormStatistics(Caffe2Names.ToOurs("res2_0_branch1_bn_s")));
        Assert.Equal(("backbone.body.layer3.22.bn2.running_mean", "backbone.body.layer3.22.bn2.running_var"),
            Caffe2Names.FoldedBatchNormStatistics(Caffe2Names.ToOurs("res4_22_branch2b_bn_s")));
        Assert.Equal(("roi_heads.box.feature_extractor.head.layer4.1.bn3.running_mean", "roi_heads.box.feature_extractor.head.layer4.1.bn3.running_var"),
            Caffe2Names.FoldedBatchNormStatistics(Caffe2Names.ToOurs("res5_1_branch2c_bn_s", res5InBoxHead: true)));
        // Once per norm (from its scale), never for GroupNorm (same names, no statistics), convolutions, or what does not map.
        foreach (var blob in new[] { "res_conv1_bn_b", "res2_0_branch2a_bn_b", "conv1_gn_s", "res2_0_branch2a_gn_s", "conv1_w", "res2_0_branch2a_w",
                     "fc6_w", "res2_0_branch2a_bn_s_momentum", "fc1000_w", "res6_0_branch2a_bn_s" })
            Assert.Null(Caffe2Names.FoldedBatchNormStatistics(Caffe2Names.ToOurs(blob)));
    }

    [Fact]
    public void C4DetectorsAreToldFromTheirBoxHead()
    {
        Assert.True(Caffe2Names.FileHasRes5InBoxHead(DetectronBlobs.C4Detector(DetectronBlobs.R50, mask: true)));
        Assert.True(Caffe2Names.FileHasRes5InBoxHead(DetectronBlobs.C4Detector(DetectronBlobs.R50, mask: false)));
        Assert.False(Caffe2Names.FileHasRes5InBoxHead(DetectronBlobs.FpnDetector(DetectronBlobs.R50, mask: true)));
        Assert.False(Caffe2Names.FileHasRes5InBoxHead(DetectronBlobs.ImageNet(DetectronBlobs.R50)));
        Assert.True(Res5Placement.InBoxHead(["backbone.body.layer3.5.conv3.weight", "roi_heads.box.feature_extractor.head.layer4.0.conv1.weight"]));
        Assert.False(Res5Placement.InBoxHead(["backbone.body.layer4.0.conv1.weight", "roi_heads.box.feature_extractor.fc6.weight"]));
    }

    [Fact]
    public void MappingAFileTakesRes5FromTheFileUnlessTold()
    {
        var none = new Dictionary<string, string>();
        var c4 = MappedNames.Of("c4.pkl", DetectronBlobs.C4Detector(DetectronBlobs.R50, mask: true), none);
        Assert.Equal(WeightScheme.Caffe2, c4.Scheme);
        Assert.Equal("res5_2_branch2c_w", c4.SourceOf["roi_heads.box.feature_extractor.head.layer4.2.conv3.weight"]);
        Assert.DoesNotContain(c4.SourceOf.Keys, n => n.StartsWith("backbone.body.layer4.", StringComparison.Ordinal));

        var imageNet = DetectronBlobs.ImageNet(DetectronBlobs.R50);
        Assert.Equal("res5_2_branch2c_w", MappedNames.Of("R-50.pkl", imageNet, none).SourceOf["backbone.body.layer4.2.conv3.weight"]);
        Assert.Equal("res5_2_branch2c_w", MappedNames.Of("R-50.pkl", imageNet, none, res5InBoxHead: true)
            .SourceOf["roi_heads.box.feature_extractor.head.layer4.2.conv3.weight"]);
        // Told otherwise, a C4 file's res5 goes where it is told: the loader knows the model.
        Assert.Contains("backbone.body.layer4.0.conv1.weight", MappedNames.Of("c4.pkl", DetectronBlobs.C4Detector(DetectronBlobs.R50, mask: false), none,
            WeightScheme.Caffe2, res5InBoxHead: false).SourceOf.Keys);
    }

    [Fact]
    public void SchemeIsDetectedFromTheBlobs()
    {
        var none = new Dictionary<string, string>();
        Assert.Equal(WeightScheme.Caffe2, WeightSchemeDetector.Detect("R-50.pkl", DetectronBlobs.ImageNet(DetectronBlobs.R50), none));
        Assert.Equal(WeightScheme.Caffe2, WeightSchemeDetector.Detect("X-101-32x8d.pkl", DetectronBlobs.ImageNet(DetectronBlobs.R101, classifier: "pred"), none));
        Assert.Equal(WeightScheme.Caffe2, WeightSchemeDetector.Detect("R-50-GN.pkl", DetectronBlobs.ImageNet(DetectronBlobs.R50, groupNorm: true), none));
        Assert.Equal(WeightScheme.Caffe2, WeightSchemeDetector.Detect("model_final.pkl", DetectronBlobs.FpnDetector(DetectronBlobs.R101, mask: true), none));
        // Each distinctive blob on its own is enough...
        foreach (var blob in new[] { "conv1_w", "res_conv1_bn_s", "conv1_gn_b", "res2_0_branch2a_w", "res4_22_branch1_bn_b", "fpn_inner_res5_2_sum_w",
                     "conv_rpn_fpn2_w", "rpn_cls_logits_b", "rpn_bbox_pred_fpn2_w", "_[mask]_fcn1_w" })
            Assert.Equal(WeightScheme.Caffe2, WeightSchemeDetector.Detect("w", [blob], none));
        // ...while names shared with nothing else in a detector (fc6_w, cls_score_w) are not, alone.
        Assert.Throws<WeightFileException>(() => WeightSchemeDetector.Detect("w", ["fc6_w", "cls_score_w", "bbox_pred_w"], none));
        var mixed = Assert.Throws<WeightFileException>(() => WeightSchemeDetector.Detect("w.safetensors", ["backbone.body.stem.conv1.weight", "conv1_w"], none));
        Assert.Equal("w.safetensors: mixes maskrcnn-benchmark names (backbone.body.stem.conv1.weight) with caffe2 names (conv1_w); pass --from to choose", mixed.Message);
    }

    [Fact]
    public void TheSchemeHasAName()
    {
        Assert.Equal("caffe2", WeightScheme.Caffe2.Name());
        Assert.Equal(WeightScheme.Caffe2, WeightSchemeNames.Parse("caffe2"));
        Assert.Equal("unknown weight naming scheme 'c2' (expected maskrcnn, maskrcnn-benchmark, torchvision, yolact, caffe2 or detectron2)",
            Assert.Throws<ArgumentException>(() => WeightSchemeNames.Parse("c2")).Message);
    }
}
