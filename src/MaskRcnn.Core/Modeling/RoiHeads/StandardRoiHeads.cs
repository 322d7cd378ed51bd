using MaskRcnn.Modeling.RoiHeads.Box;
using MaskRcnn.Modeling.RoiHeads.Mask;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RoiHeads;

/// <summary>The box head and, for Mask R-CNN, the mask head, in maskrcnn-benchmark's order: in training the mask
/// head learns from the box head's foreground samples; at inference it runs on the box head's detections.</summary>
public sealed class StandardRoiHeads : nn.Module
{
    readonly BoxHead box;
    readonly MaskHead? mask;
    readonly bool shareBoxFeatures;

    public StandardRoiHeads(BoxHead box, MaskHead? mask, bool shareBoxFeatures) : base("RoiHeads")
    {
        this.box = box;
        this.mask = mask;
        this.shareBoxFeatures = shareBoxFeatures;
        register_module("box", box);
        if (mask is not null) register_module("mask", mask);
    }

    /// <summary>Children are registered by hand under maskrcnn-benchmark's names; TorchSharp would also register
    /// every module-typed field or property under its C# name.</summary>
    protected override void RegisterComponents() { }

    public bool HasMasks => mask is not null;

    public (List<BoxList> Detections, Dictionary<string, Tensor> Losses) Forward(Tensor[] features, IReadOnlyList<BoxList> proposals,
        IReadOnlyList<BoxList>? targets, IReadOnlyList<Generator>? generators)
    {
        var (rois, _, losses) = box.Forward(features, proposals, targets, generators);
        Func<IReadOnlyList<BoxList>, Tensor>? shared = shareBoxFeatures ? r => box.FeatureExtractor.forward(features, r) : null;
        if (mask is null) return (rois, losses);
        if (training)
        {
            losses["loss_mask"] = mask.Loss(features, rois, targets!, shared)!;
            return (rois, losses);
        }
        return (mask.Infer(features, rois, shared), losses);
    }

    /// <summary>The box head's unfiltered detections (test-time augmentation pools them over passes; no masks).</summary>
    public List<BoxList> BoxCandidates(Tensor[] features, IReadOnlyList<BoxList> proposals) => box.Candidates(features, proposals);

    /// <summary>Each detection's [1,M,M] mask probabilities for its label, from these features (test-time augmentation
    /// averages them over its passes); needs a mask head.</summary>
    public List<BoxList> MaskProbabilities(Tensor[] features, IReadOnlyList<BoxList> detections)
    {
        if (mask is null) throw new InvalidOperationException("mask probabilities need a mask head (MODEL.MASK_ON)");
        Func<IReadOnlyList<BoxList>, Tensor>? shared = shareBoxFeatures ? r => box.FeatureExtractor.forward(features, r) : null;
        return mask.Infer(features, detections, shared);
    }

    /// <summary>The box head's per-class NMS and detection limit over pooled candidates.</summary>
    public BoxList FilterBoxes(BoxList candidates) => box.Filter(candidates);
}
