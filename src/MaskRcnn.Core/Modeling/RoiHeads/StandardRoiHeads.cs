using MaskRcnn.Modeling.RoiHeads.Box;
using MaskRcnn.Modeling.RoiHeads.Keypoint;
using MaskRcnn.Modeling.RoiHeads.Mask;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RoiHeads;

/// <summary>The box head and, for Mask R-CNN, the mask head, for Keypoint R-CNN the keypoint head, in
/// maskrcnn-benchmark's order: in training the mask and keypoint heads learn from the box head's foreground samples; at
/// inference they run on the box head's detections.</summary>
public sealed class StandardRoiHeads : nn.Module
{
    readonly BoxHead box;
    readonly MaskHead? mask;
    readonly KeypointHead? keypoint;
    readonly bool shareBoxFeatures;
    readonly bool keypointSharesBoxFeatures;

    public StandardRoiHeads(BoxHead box, MaskHead? mask, bool shareBoxFeatures, KeypointHead? keypoint = null, bool keypointSharesBoxFeatures = false)
        : base("RoiHeads")
    {
        this.box = box;
        this.mask = mask;
        this.keypoint = keypoint;
        this.shareBoxFeatures = shareBoxFeatures;
        this.keypointSharesBoxFeatures = keypointSharesBoxFeatures;
        register_module("box", box);
        if (mask is not null) register_module("mask", mask);
        if (keypoint is not null) register_module("keypoint", keypoint);
    }

    /// <summary>Children are registered by hand under maskrcnn-benchmark's names; TorchSharp would also register
    /// every module-typed field or property under its C# name.</summary>
    protected override void RegisterComponents() { }

    public bool HasMasks => mask is not null;
    public bool HasKeypoints => keypoint is not null;

    public (List<BoxList> Detections, Dictionary<string, Tensor> Losses) Forward(Tensor[] features, IReadOnlyList<BoxList> proposals,
        IReadOnlyList<BoxList>? targets, IReadOnlyList<Generator>? generators)
    {
        var (rois, _, losses) = box.Forward(features, proposals, targets, generators);
        Func<IReadOnlyList<BoxList>, Tensor> boxFeatures = r => box.FeatureExtractor.forward(features, r);
        var maskShared = shareBoxFeatures ? boxFeatures : null;
        var keypointShared = keypointSharesBoxFeatures ? boxFeatures : null;
        if (training)
        {
            if (mask is not null) losses["loss_mask"] = mask.Loss(features, rois, targets!, maskShared)!;
            if (keypoint is not null) losses["loss_kp"] = keypoint.Loss(features, rois, targets!, keypointShared);
            return (rois, losses);
        }
        if (mask is not null) rois = mask.Infer(features, rois, maskShared);
        if (keypoint is not null) rois = keypoint.Infer(features, rois, keypointShared);
        return (rois, losses);
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
