using MaskRcnn.Checkpoint.Naming;

namespace MaskRcnn.Tests.Checkpoint.Naming;

/// <summary>
/// Whole detectron2 state dicts (<see cref="Detectron2StateDicts"/>) against the names of the models we build from
/// maskrcnn-benchmark's configs: every name not ignored names a distinct model tensor, and together they are every
/// tensor but the class-specific predictors, whose class layout differs.
/// </summary>
[Collection(Engine.TrainingCollection.Name)] // building a model draws on torch's global generator
public class Detectron2ModelNamesTests
{
    static readonly Dictionary<string, string> NoMetadata = new();

    static readonly string[] Predictors = ["roi_heads.box.predictor.cls_score", "roi_heads.box.predictor.bbox_pred", "roi_heads.mask.predictor.mask_fcn_logits"];

    static bool IsPredictor(string ourName) => Predictors.Any(p => ourName.StartsWith(p + ".", StringComparison.Ordinal));

    static (MappedNames Names, List<string> Ignored) Map(IReadOnlyCollection<string> names, bool? res5InBoxHead = null)
    {
        var mapped = MappedNames.Of("model_final.pth", names, NoMetadata, res5InBoxHead: res5InBoxHead);
        Assert.Equal(WeightScheme.Detectron2, mapped.Scheme);
        Assert.Empty(mapped.Mappings.Where(m => m.Kind == NameMappingKind.Unknown).Select(m => m.Source));
        return (mapped, mapped.Mappings.Where(m => m.Kind == NameMappingKind.Ignored).Select(m => m.Source).ToList());
    }

    [Fact]
    public void MaskRcnnR50FpnMapsOntoEveryTensorButThePredictors()
    {
        var model = OurModelNames.Of("e2e_mask_rcnn_R_50_FPN_1x.yaml");
        var (names, ignored) = Map(Detectron2StateDicts.FpnModel(DetectronBlobs.R50, mask: true));
        OurModelNames.AssertSame(model.Keys.Where(n => !IsPredictor(n)), names.SourceOf.Keys);
        Assert.Equal(["roi_heads.box_predictor.cls_score.weight", "roi_heads.box_predictor.cls_score.bias", "roi_heads.box_predictor.bbox_pred.weight",
            "roi_heads.box_predictor.bbox_pred.bias", "roi_heads.mask_head.predictor.weight", "roi_heads.mask_head.predictor.bias"], ignored);
        // The levels: detectron2's fpn_lateralN reads resN, whose channels our fpn_innerN-1 takes.
        for (var stage = 2; stage <= 5; stage++)
        {
            Assert.Equal($"backbone.fpn_lateral{stage}.weight", names.SourceOf[$"backbone.fpn.fpn_inner{stage - 1}.weight"]);
            Assert.Equal(256L << (stage - 2), model[$"backbone.fpn.fpn_inner{stage - 1}.weight"][1]);
        }
    }

    [Fact]
    public void MaskRcnnR50C4MapsOntoEveryTensorButThePredictors()
    {
        var model = OurModelNames.Of("e2e_mask_rcnn_R_50_C4_1x.yaml");
        var (names, _) = Map(Detectron2StateDicts.C4Model(DetectronBlobs.R50, mask: true));
        OurModelNames.AssertSame(model.Keys.Where(n => !IsPredictor(n)), names.SourceOf.Keys);
    }

    [Fact]
    public void AConvertedTorchvisionBackboneIsTheBodyOfFpnModelsAndTheBodyAndBoxHeadOfC4Models()
    {
        var backbone = Detectron2StateDicts.ConvertedTorchvision(DetectronBlobs.R50);
        var fpn = OurModelNames.Of("e2e_mask_rcnn_R_50_FPN_1x.yaml").Keys;
        var (names, ignored) = Map(backbone);
        OurModelNames.AssertSame(fpn.Where(n => n.StartsWith(Res5Placement.BodyPrefix, StringComparison.Ordinal)), names.SourceOf.Keys);
        Assert.Equal(["stem.fc.weight", "stem.fc.bias"], ignored);

        var c4 = OurModelNames.Of("e2e_mask_rcnn_R_50_C4_1x.yaml").Keys;
        var (inC4, _) = Map(backbone, res5InBoxHead: Res5Placement.InBoxHead(c4));
        OurModelNames.AssertSame(c4.Where(n => n.StartsWith(Res5Placement.BodyPrefix, StringComparison.Ordinal) || n.StartsWith(Res5Placement.BoxHeadPrefix, StringComparison.Ordinal)),
            inC4.SourceOf.Keys);
    }
}
