using MaskRcnn.Checkpoint.Naming;

namespace MaskRcnn.Tests.Checkpoint.Naming;

/// <summary>
/// Whole Detectron files (their blob names, <see cref="DetectronBlobs"/>) against the names of the models we build
/// from maskrcnn-benchmark's configs: every blob that is not ignored names a distinct model tensor, and those with
/// the folded BatchNorms' statistics are every tensor there is.
/// </summary>
[Collection(Engine.TrainingCollection.Name)] // building a model draws on torch's global generator
public class Caffe2ModelNamesTests
{
    static readonly Dictionary<string, string> NoMetadata = new();

    /// <summary>Our names for a file's blobs (distinct), the statistics the folded norms add, and the blobs ignored.</summary>
    static (List<string> Mapped, List<string> Statistics, List<string> Ignored) Map(IReadOnlyCollection<string> blobs, bool? res5InBoxHead = null)
    {
        var names = MappedNames.Of("model.pkl", blobs, NoMetadata, res5InBoxHead: res5InBoxHead);
        Assert.Equal(WeightScheme.Caffe2, names.Scheme);
        Assert.Empty(names.Mappings.Where(m => m.Kind == NameMappingKind.Unknown).Select(m => m.Source));
        var statistics = names.Mappings.Select(Caffe2Names.FoldedBatchNormStatistics).OfType<(string Mean, string Var)>()
            .SelectMany(s => new[] { s.Mean, s.Var }).ToList();
        var ignored = names.Mappings.Where(m => m.Kind == NameMappingKind.Ignored).Select(m => m.Source).ToList();
        return ([.. names.SourceOf.Keys], statistics, ignored);
    }

    [Fact]
    public void MsraR50MapsOneToOneOntoTheR50FpnBodyWithItsStatistics()
    {
        var body = OurModelNames.Of("e2e_mask_rcnn_R_50_FPN_1x.yaml").Keys.Where(n => n.StartsWith(Res5Placement.BodyPrefix, StringComparison.Ordinal)).ToList();
        var blobs = DetectronBlobs.ImageNet(DetectronBlobs.R50);
        Assert.Equal(1 + 2 + (3 + 4 + 6 + 3) * 9 + 4 * 3 + 2, blobs.Count);
        var (mapped, statistics, ignored) = Map(blobs);
        OurModelNames.AssertSame(body.Where(n => !n.EndsWith(".running_mean", StringComparison.Ordinal) && !n.EndsWith(".running_var", StringComparison.Ordinal)), mapped);
        OurModelNames.AssertSame(body.Where(n => n.EndsWith(".running_mean", StringComparison.Ordinal) || n.EndsWith(".running_var", StringComparison.Ordinal)), statistics);
        Assert.Equal(["fc1000_w", "fc1000_b"], ignored);
    }

    [Fact]
    public void MsraR50GoesIntoAC4ModelWithRes5InTheBoxHead()
    {
        var model = OurModelNames.Of("e2e_mask_rcnn_R_50_C4_1x.yaml");
        Assert.True(Res5Placement.InBoxHead(model.Keys));
        var resNet = model.Keys.Where(n => n.StartsWith(Res5Placement.BodyPrefix, StringComparison.Ordinal) || n.StartsWith(Res5Placement.BoxHeadPrefix, StringComparison.Ordinal)).ToList();
        var (mapped, statistics, _) = Map(DetectronBlobs.ImageNet(DetectronBlobs.R50), res5InBoxHead: true);
        OurModelNames.AssertSame(resNet, mapped.Concat(statistics));
    }

    [Fact]
    public void GroupNormR50MapsOntoTheGroupNormBodyWithoutStatistics()
    {
        var body = OurModelNames.Of("gn_baselines/e2e_mask_rcnn_R_50_FPN_1x_gn.yaml").Keys.Where(n => n.StartsWith(Res5Placement.BodyPrefix, StringComparison.Ordinal));
        var (mapped, statistics, _) = Map(DetectronBlobs.ImageNet(DetectronBlobs.R50, groupNorm: true));
        OurModelNames.AssertSame(body, mapped);
        Assert.Empty(statistics);
    }

    [Fact]
    public void FairX101MapsOntoTheX101Body()
    {
        // Widths shrunk: the names do not depend on them.
        var body = OurModelNames.Of("e2e_mask_rcnn_X_101_32x8d_FPN_1x.yaml", "MODEL.RESNETS.NUM_GROUPS", "2", "MODEL.RESNETS.WIDTH_PER_GROUP", "2",
                "MODEL.RESNETS.STEM_OUT_CHANNELS", "8", "MODEL.RESNETS.RES2_OUT_CHANNELS", "16", "MODEL.RESNETS.BACKBONE_OUT_CHANNELS", "16",
                "MODEL.ROI_BOX_HEAD.MLP_HEAD_DIM", "16", "MODEL.ROI_MASK_HEAD.CONV_LAYERS", "(16, 16, 16, 16)")
            .Keys.Where(n => n.StartsWith(Res5Placement.BodyPrefix, StringComparison.Ordinal)).ToList();
        var (mapped, statistics, ignored) = Map(DetectronBlobs.ImageNet(DetectronBlobs.R101, classifier: "pred"));
        OurModelNames.AssertSame(body, mapped.Concat(statistics));
        Assert.Equal(["pred_w", "pred_b"], ignored);
    }

    [Fact]
    public void DetectronsR50FpnMaskRcnnMapsOntoEveryTensorOfOurs()
    {
        var model = OurModelNames.Of("caffe2/e2e_mask_rcnn_R_50_FPN_1x_caffe2.yaml");
        var blobs = DetectronBlobs.FpnDetector(DetectronBlobs.R50, mask: true);
        var (mapped, statistics, ignored) = Map(blobs);
        OurModelNames.AssertSame(model.Keys, mapped.Concat(statistics));
        Assert.All(ignored, b => Assert.EndsWith("_momentum", b));
        // The shapes pin the levels: Detectron's lateral of resN reads that stage's channels, as our fpn_innerN-1 does.
        var names = MappedNames.Of("model.pkl", blobs, NoMetadata);
        foreach (var (stage, block) in new[] { (2, 2), (3, 3), (4, 5) })
            Assert.Equal($"fpn_inner_res{stage}_{block}_sum_lateral_w", names.SourceOf[$"backbone.fpn.fpn_inner{stage - 1}.weight"]);
        Assert.Equal([256L, 256, 1, 1], model["backbone.fpn.fpn_inner1.weight"]);
        Assert.Equal([256L, 512, 1, 1], model["backbone.fpn.fpn_inner2.weight"]);
        Assert.Equal([256L, 1024, 1, 1], model["backbone.fpn.fpn_inner3.weight"]);
        Assert.Equal([256L, 2048, 1, 1], model["backbone.fpn.fpn_inner4.weight"]);
        Assert.Equal("fpn_inner_res5_2_sum_w", names.SourceOf["backbone.fpn.fpn_inner4.weight"]);
    }

    [Fact]
    public void DetectronsR50C4MaskRcnnMapsOntoEveryTensorOfOurs()
    {
        var model = OurModelNames.Of("caffe2/e2e_mask_rcnn_R_50_C4_1x_caffe2.yaml");
        var (mapped, statistics, ignored) = Map(DetectronBlobs.C4Detector(DetectronBlobs.R50, mask: true));
        OurModelNames.AssertSame(model.Keys, mapped.Concat(statistics));
        Assert.All(ignored, b => Assert.EndsWith("_momentum", b));
    }
}
