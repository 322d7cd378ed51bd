using MaskRcnn.Modeling.Rpn;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.MetaArch;

/// <summary>
/// maskrcnn-benchmark's GeneralizedRCNN: backbone → RPN → RoI heads. Training returns the losses; inference
/// returns detections per image in the coordinates of the (resized) network input, with "scores", "labels" and,
/// for Mask R-CNN, "mask" probabilities (see <see cref="Postprocessing.DetectionsToImage"/> for original-image results).
/// With <c>RPN_ONLY</c> the proposals are the detections.
/// </summary>
public sealed class GeneralizedRcnn : nn.Module
{
    readonly nn.Module<Tensor, Tensor[]> backbone;
    readonly RegionProposalNetwork rpn;
    readonly RoiHeads.RoiHeads? roiHeads;

    public GeneralizedRcnn(nn.Module<Tensor, Tensor[]> backbone, RegionProposalNetwork rpn, RoiHeads.RoiHeads? roiHeads) : base(nameof(GeneralizedRcnn))
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

    public bool HasMasks => roiHeads?.HasMasks ?? false;

    public nn.Module<Tensor, Tensor[]> Backbone => backbone;
    public RegionProposalNetwork Rpn => rpn;

    /// <summary>The generator used for training samples (RPN and RoI sampling); null uses torch's global one.</summary>
    public Generator? SamplingGenerator { get; set; }

    public (List<BoxList> Detections, Dictionary<string, Tensor> Losses) Forward(ImageList images, IReadOnlyList<BoxList>? targets = null)
    {
        if (training && targets is null) throw new ArgumentException("training needs targets");
        var features = backbone.forward(images.Tensor);
        var (proposals, losses) = rpn.Forward(images, features, targets, SamplingGenerator);
        if (roiHeads is null) return (proposals, losses);
        var (detections, headLosses) = roiHeads.Forward(features, proposals, targets, SamplingGenerator);
        foreach (var (k, v) in headLosses) losses[k] = v;
        return (detections, losses);
    }

    /// <summary>Eval mode with the frozen batch norms folded into their convolutions (call again after loading weights;
    /// <c>train()</c> and moving the model drop the folded copy).</summary>
    public GeneralizedRcnn PrepareForInference()
    {
        eval();
        MaskRcnn.Modeling.Backbone.IInferenceFusable.Apply(this, fuse: true);
        return this;
    }

    /// <summary>The backbone's feature maps alone (for tests and tools).</summary>
    public Tensor[] Features(Tensor images) => backbone.forward(images);
}
