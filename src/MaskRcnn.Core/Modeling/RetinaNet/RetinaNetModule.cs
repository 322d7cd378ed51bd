using MaskRcnn.Layers;
using MaskRcnn.Modeling.Rpn;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RetinaNet;

/// <summary>
/// maskrcnn-benchmark's RetinaNetModule (the model's <c>rpn</c>): the head over every level, the anchors, and either the
/// losses "loss_retina_cls" and "loss_retina_reg" (training) or the detections (inference). Boxes are coded with
/// <c>MODEL.RETINANET.BBOX_REG_WEIGHTS</c> (ours; maskrcnn-benchmark fixes them at 10, 10, 5, 5).
/// </summary>
public sealed class RetinaNetModule : nn.Module
{
    readonly RetinaNetHead head;
    readonly AnchorGenerator anchors;
    readonly RetinaNetLoss loss;
    readonly RetinaNetPostProcessor postProcessor;

    public RetinaNetModule(RetinaNetHead head, AnchorGenerator anchors, RetinaNetOptions options, BoxConvention convention)
        : base(nameof(RetinaNetModule))
    {
        if (head.AnchorsPerLocation != anchors.AnchorsPerLocation)
            throw new ArgumentException($"RetinaNet head predicts {head.AnchorsPerLocation} anchors per location, the generator makes {anchors.AnchorsPerLocation}");
        this.head = head;
        this.anchors = anchors;
        var coder = new BoxCoder(options.BoxCoderWeights, plusOne: convention.PlusOne());
        loss = new RetinaNetLoss(options, coder);
        postProcessor = new RetinaNetPostProcessor(options, coder);
        register_module("head", head);
    }

    /// <summary>The head is registered by hand under maskrcnn-benchmark's name.</summary>
    protected override void RegisterComponents() { }

    public RetinaNetHead Head => head;
    public AnchorGenerator Anchors => anchors;
    public RetinaNetLoss Loss => loss;

    /// <summary>Per level, the anchors [M_l,4], class logits [N, M_l, K] and deltas [N, M_l, 4] (location-major, anchor-minor).</summary>
    public (Tensor[] Anchors, Tensor[] Logits, Tensor[] Deltas) Predict(ImageList images, Tensor[] features)
    {
        var (logits, deltas) = head.call(features);
        var padded = new ImageSize((int)images.Tensor.shape[2], (int)images.Tensor.shape[3]);
        var levelAnchors = anchors.GridAnchors(features.Select(f => (f.shape[2], f.shape[3])).ToList(), padded, features[0].device);
        var flatLogits = logits.Select(l => RpnHead.Flatten(l, head.ForegroundClasses)).ToArray();
        var flatDeltas = deltas.Select(d => RpnHead.Flatten(d, 4)).ToArray();
        return (levelAnchors, flatLogits, flatDeltas);
    }

    public (List<BoxList> Detections, Dictionary<string, Tensor> Losses) Forward(ImageList images, Tensor[] features, IReadOnlyList<BoxList>? targets)
    {
        var (levelAnchors, logits, deltas) = Predict(images, features);
        if (!training) return (postProcessor.Process(levelAnchors, logits, deltas, images.Sizes), []);
        if (targets is null) throw new ArgumentException("training RetinaNet needs targets");
        var (classification, box) = loss.Compute(torch.cat(levelAnchors, 0), torch.cat(logits, 1), torch.cat(deltas, 1), targets);
        return ([], new() { ["loss_retina_cls"] = classification, ["loss_retina_reg"] = box });
    }
}
