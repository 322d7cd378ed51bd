using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.Modeling.Postprocessing;
using MaskRcnn.Modeling.RoiHeads;
using MaskRcnn.Modeling.Rpn;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.MetaArch;

/// <summary>
/// maskrcnn-benchmark's GeneralizedRCNN: backbone → RPN → RoI heads. <see cref="Forward"/> returns the losses in
/// training, and at inference detections per image in the coordinates of the (resized) network input, with "scores",
/// "labels" and, for Mask R-CNN, "mask" probabilities; <see cref="Detect"/> maps them to the original images.
/// With <c>RPN_ONLY</c> the proposals are the detections.
/// </summary>
public sealed class GeneralizedRcnn : Detector
{
    readonly nn.Module<Tensor, Tensor[]> backbone;
    readonly RegionProposalNetwork rpn;
    readonly StandardRoiHeads? roiHeads;
    readonly DetectionsToImage toImage = new(maskThreshold: 0.5);

    public GeneralizedRcnn(nn.Module<Tensor, Tensor[]> backbone, RegionProposalNetwork rpn, StandardRoiHeads? roiHeads, int numClasses)
        : base(nameof(GeneralizedRcnn), numClasses)
    {
        this.backbone = backbone;
        this.rpn = rpn;
        this.roiHeads = roiHeads;
        register_module("backbone", backbone);
        register_module("rpn", rpn);
        if (roiHeads is not null) register_module("roi_heads", roiHeads);
    }

    /// <summary>Children are registered by hand under maskrcnn-benchmark's names; TorchSharp would also register
    /// every module-typed field or property under its C# name.</summary>
    protected override void RegisterComponents() { }

    public override bool HasMasks => roiHeads?.HasMasks ?? false;

    public override bool HasKeypoints => roiHeads?.HasKeypoints ?? false;

    public nn.Module<Tensor, Tensor[]> Backbone => backbone;
    public RegionProposalNetwork Rpn => rpn;

    public (List<BoxList> Detections, Dictionary<string, Tensor> Losses) Forward(ImageList images, IReadOnlyList<BoxList>? targets = null)
    {
        if (training && targets is null) throw new ArgumentException("training needs targets");
        var features = backbone.forward(images.Tensor);
        var (proposals, losses) = rpn.Forward(images, features, targets, SamplingGenerators);
        if (roiHeads is null) return (proposals, losses);
        var (detections, headLosses) = roiHeads.Forward(features, proposals, targets, SamplingGenerators);
        foreach (var (k, v) in headLosses) losses[k] = v;
        return (detections, losses);
    }

    public override Dictionary<string, Tensor> Losses(ImageList images, IReadOnlyList<BoxList> targets) => Forward(images, targets).Losses;

    public override List<BoxList> Detect(ImageList images, IReadOnlyList<ImageSize> originalSizes)
    {
        if (images.Count != originalSizes.Count)
            throw new ArgumentException($"{images.Count} images but {originalSizes.Count} original sizes", nameof(originalSizes));
        var (detections, _) = Forward(images);
        return detections.Select((d, i) => toImage.Apply(d, originalSizes[i])).ToList();
    }

    /// <summary>Inference up to the box head's candidates: per image, every (RoI, class) scoring above
    /// <c>SCORE_THRESH</c>, clipped, with "scores" and "labels", in the network input's coordinates and unfiltered
    /// (maskrcnn-benchmark's box post-processor with <c>TEST.BBOX_AUG.ENABLED</c>). Needs RoI heads.</summary>
    public List<BoxList> DetectionCandidates(ImageList images)
    {
        if (roiHeads is null) throw new InvalidOperationException("detection candidates need the RoI heads (MODEL.RPN_ONLY is on)");
        var features = backbone.forward(images.Tensor);
        var (proposals, _) = rpn.Forward(images, features, null, null);
        return roiHeads.BoxCandidates(features, proposals);
    }

    /// <summary>Per-class NMS and <c>DETECTIONS_PER_IMG</c> over candidates pooled from <see cref="DetectionCandidates"/>
    /// (maskrcnn-benchmark's <c>filter_results</c>).</summary>
    public BoxList FilterCandidates(BoxList candidates) =>
        (roiHeads ?? throw new InvalidOperationException("filtering candidates needs the RoI heads (MODEL.RPN_ONLY is on)")).FilterBoxes(candidates);

    /// <summary>Mask probabilities ([N,1,M,M], field "mask") of given detections (boxes and labels in the network input's
    /// coordinates) on these images: test-time augmentation's masks for its merged boxes, one pass at a time.</summary>
    public List<BoxList> MaskProbabilities(ImageList images, IReadOnlyList<BoxList> detections)
    {
        if (roiHeads is null) throw new InvalidOperationException("mask probabilities need the RoI heads (MODEL.RPN_ONLY is on)");
        return roiHeads.MaskProbabilities(backbone.forward(images.Tensor), detections);
    }

    /// <summary>Detections in the network input's coordinates (with mask probabilities) mapped to the original image:
    /// resized, masks pasted and thresholded, as <see cref="Detect"/> finishes.</summary>
    public BoxList ToImage(BoxList detections, ImageSize original) => toImage.Apply(detections, original);

    public override bool IsClassSpecific(string weightName) => MaskRcnnBenchmarkNames.IsClassSpecific(weightName);

    /// <summary>The backbone's feature maps alone (for tests and tools).</summary>
    public Tensor[] Features(Tensor images) => backbone.forward(images);
}
