using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.Modeling.MetaArch;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Yolact;

/// <summary>
/// YOLACT (Bolya et al., ICCV 2019): a one-stage detector whose masks are linear combinations of k prototype masks
/// predicted once per image (ProtoNet on P3) with per-anchor coefficients from a head shared by P3–P7. Training
/// returns the box, class, mask and (optionally) semantic-segmentation losses; inference runs Fast NMS and
/// assembles masks only for the detections kept. Parameter names: <c>backbone.body.*</c>, <c>backbone.fpn.*</c>,
/// <c>proto_net.*</c>, <c>head.*</c>, <c>semantic_seg_conv.*</c> (convert maps dbolya/yolact's names).
/// </summary>
public sealed class YolactModel : Detector
{
    readonly YolactBackbone backbone;
    readonly ProtoNet protoNet;
    readonly YolactHead head;
    readonly nn.Module<Tensor, Tensor>? semanticSegConv;
    readonly YolactAnchors anchors;
    readonly YolactLoss loss;
    readonly YolactPostProcessor postProcessor;

    public YolactModel(YolactBackbone backbone, ProtoNet protoNet, YolactHead head, nn.Module<Tensor, Tensor>? semanticSegConv,
        YolactAnchors anchors, YolactLoss loss, YolactPostProcessor postProcessor, int numClasses)
        : base(nameof(YolactModel), numClasses)
    {
        if (anchors.Levels != 5) throw new ArgumentException($"YOLACT predicts on P3–P7: needs 5 anchor scales, got {anchors.Levels}");
        this.backbone = backbone;
        this.protoNet = protoNet;
        this.head = head;
        this.semanticSegConv = semanticSegConv;
        this.anchors = anchors;
        this.loss = loss;
        this.postProcessor = postProcessor;
        register_module("backbone", backbone);
        register_module("proto_net", protoNet);
        register_module("head", head);
        if (semanticSegConv is not null) register_module("semantic_seg_conv", semanticSegConv);
    }

    /// <summary>Children are registered by hand under the names above; TorchSharp would also register every
    /// module-typed field under its C# name.</summary>
    protected override void RegisterComponents() { }

    public override bool HasMasks => true;

    public YolactBackbone Backbone => backbone;

    /// <summary>P3..P7 of a batch of images [N,3,H,W].</summary>
    public Tensor[] Features(Tensor images) => backbone.call(images);

    /// <summary>The network's raw predictions for a batch [N,3,H,W] (the semantic logits only in training mode).</summary>
    public YolactPredictions Predict(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        var features = backbone.call(images);
        var prototypes = protoNet.call(features[0]).permute(0, 2, 3, 1).contiguous();
        var loc = new Tensor[features.Length];
        var conf = new Tensor[features.Length];
        var coeffs = new Tensor[features.Length];
        for (int i = 0; i < features.Length; i++) (loc[i], conf[i], coeffs[i]) = head.call(features[i]);
        var priors = anchors.For(features.Select(f => (f.size(2), f.size(3))).ToList(), images.size(2), images.size(3), images.device);
        var semantic = training && semanticSegConv is not null ? semanticSegConv.call(features[0]).MoveToOuterDisposeScope() : null;
        return new YolactPredictions(torch.cat(loc, 1).MoveToOuterDisposeScope(), torch.cat(conf, 1).MoveToOuterDisposeScope(),
            torch.cat(coeffs, 1).MoveToOuterDisposeScope(), priors, prototypes.MoveToOuterDisposeScope(), semantic);
    }

    public override Dictionary<string, Tensor> Losses(ImageList images, IReadOnlyList<BoxList> targets)
    {
        if (targets.Count != images.Count) throw new ArgumentException($"{images.Count} images but {targets.Count} targets", nameof(targets));
        var predictions = Predict(images.Tensor);
        return loss.Compute(predictions, targets, (int)images.Tensor.size(2), (int)images.Tensor.size(3), SamplingGenerators);
    }

    public override List<BoxList> Detect(ImageList images, IReadOnlyList<ImageSize> originalSizes)
    {
        if (images.Count != originalSizes.Count)
            throw new ArgumentException($"{images.Count} images but {originalSizes.Count} original sizes", nameof(originalSizes));
        using var scope = torch.NewDisposeScope();
        var predictions = Predict(images.Tensor);
        var detections = postProcessor.Apply(predictions, images.Tensor.size(2), images.Tensor.size(3), images.Sizes, originalSizes);
        foreach (var d in detections) d.MoveToOuterDisposeScope();
        return detections;
    }

    /// <summary>The class logits and the semantic head are sized by the class count.</summary>
    public override bool IsClassSpecific(string weightName) => YolactNames.IsClassSpecific(weightName);
}
