using MaskRcnn.Layers;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Rpn;

/// <summary>The region proposal network: head over every feature level, anchors, proposal selection and, in
/// training, its losses. Proposals carry their objectness probability as the "objectness" field.</summary>
public sealed class RegionProposalNetwork : nn.Module
{
    readonly RpnHead head;
    readonly AnchorGenerator anchors;
    readonly ProposalSelector selector;
    readonly RpnLoss loss;

    public RegionProposalNetwork(int channels, AnchorGenerator anchors, RpnOptions options, BoxConvention convention) : base(nameof(RegionProposalNetwork))
    {
        this.anchors = anchors;
        head = new RpnHead(channels, anchors.AnchorsPerLocation);
        var coder = new BoxCoder(1, 1, 1, 1, plusOne: convention.PlusOne());
        selector = new ProposalSelector(options, coder);
        loss = new RpnLoss(options, coder, anchors);
        RegisterComponents();
    }

    public AnchorGenerator Anchors => anchors;

    /// <summary>Proposals per image; in training also the losses "loss_objectness" and "loss_rpn_box_reg".</summary>
    public (List<BoxList> Proposals, Dictionary<string, Tensor> Losses) Forward(ImageList images, Tensor[] features, IReadOnlyList<BoxList>? targets, IReadOnlyList<Generator>? generators = null)
    {
        var (objectness, deltas) = head.forward(features);
        var padded = new ImageSize((int)images.Tensor.shape[2], (int)images.Tensor.shape[3]);
        var levelAnchors = anchors.GridAnchors(features.Select(f => (f.shape[2], f.shape[3])).ToList(), padded, features[0].device);
        var flatObjectness = objectness.Select(o => RpnHead.Flatten(o, 1).squeeze(2)).ToArray();
        var flatDeltas = deltas.Select(d => RpnHead.Flatten(d, 4)).ToArray();
        var proposals = selector.Select(levelAnchors, flatObjectness.Select(o => o.detach()).ToArray(),
            flatDeltas.Select(d => d.detach()).ToArray(), images.Sizes, training);
        var losses = new Dictionary<string, Tensor>();
        if (training)
        {
            if (targets is null) throw new ArgumentException("training the RPN needs targets");
            var (objectnessLoss, boxLoss) = loss.Compute(torch.cat(levelAnchors, 0), torch.cat(flatObjectness, 1), torch.cat(flatDeltas, 1), targets, generators);
            losses["loss_objectness"] = objectnessLoss;
            losses["loss_rpn_box_reg"] = boxLoss;
        }
        return (proposals, losses);
    }
}
