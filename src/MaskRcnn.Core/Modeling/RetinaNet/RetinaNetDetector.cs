using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.Modeling.Backbone;
using MaskRcnn.Modeling.MetaArch;
using MaskRcnn.Modeling.Postprocessing;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RetinaNet;

/// <summary>
/// RetinaNet as maskrcnn-benchmark builds it (GeneralizedRCNN with RETINANET_ON): backbone (ResNet-FPN, P3–P7) →
/// <see cref="RetinaNetModule"/> under the name <c>rpn</c>, no RoI heads. Boxes only.
/// </summary>
public sealed class RetinaNetDetector : Detector
{
    /// <summary>The layer sized by the class count.</summary>
    public static readonly string[] ClassSpecificLayers = ["rpn.head.cls_logits"];

    readonly BackboneNetwork backbone;
    readonly RetinaNetModule rpn;
    readonly DetectionsToImage toImage = new();

    public RetinaNetDetector(BackboneNetwork backbone, RetinaNetModule rpn, int numClasses) : base(nameof(RetinaNetDetector), numClasses)
    {
        this.backbone = backbone;
        this.rpn = rpn;
        register_module("backbone", backbone);
        register_module("rpn", rpn);
    }

    /// <summary>Children are registered by hand under maskrcnn-benchmark's names.</summary>
    protected override void RegisterComponents() { }

    public override bool HasMasks => false;
    public BackboneNetwork Backbone => backbone;
    public RetinaNetModule Rpn => rpn;

    public (List<BoxList> Detections, Dictionary<string, Tensor> Losses) Forward(ImageList images, IReadOnlyList<BoxList>? targets = null)
    {
        if (training && targets is null) throw new ArgumentException("training needs targets");
        var features = backbone.call(images.Tensor);
        try
        {
            return rpn.Forward(images, features, targets);
        }
        finally
        {
            // Autograd keeps what it needs; only inference may drop the maps at once.
            if (!training) foreach (var f in features) f.Dispose();
        }
    }

    public override Dictionary<string, Tensor> Losses(ImageList images, IReadOnlyList<BoxList> targets) => Forward(images, targets).Losses;

    public override List<BoxList> Detect(ImageList images, IReadOnlyList<ImageSize> originalSizes)
    {
        if (images.Count != originalSizes.Count)
            throw new ArgumentException($"{images.Count} images but {originalSizes.Count} original sizes", nameof(originalSizes));
        var (detections, _) = Forward(images);
        return detections.Select((d, i) => toImage.Apply(d, originalSizes[i])).ToList();
    }

    public override bool IsClassSpecific(string weightName) => ModuleMembership.BelongsToAny(weightName, ClassSpecificLayers);
}
