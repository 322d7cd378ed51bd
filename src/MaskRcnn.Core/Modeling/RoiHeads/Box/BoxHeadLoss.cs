using MaskRcnn.Layers;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RoiHeads.Box;

/// <summary>maskrcnn-benchmark's box-head loss: cross-entropy over the sampled RoIs, and smooth L1 on the
/// deltas of each foreground RoI's own class, summed and divided by the number of sampled RoIs.</summary>
public static class BoxHeadLoss
{
    public static (Tensor Classification, Tensor Box) Compute(Tensor logits, Tensor deltas, IReadOnlyList<BoxList> sampled, bool classAgnostic, double beta)
    {
        var labels = torch.cat(sampled.Select(s => s.Field(BoxFields.Labels)).ToArray(), 0);
        var targets = torch.cat(sampled.Select(s => s.Field(BoxFields.RegressionTargets)).ToArray(), 0);
        var classification = nn.functional.cross_entropy(logits, labels);
        var positive = torch.nonzero(labels > 0).flatten();
        var columns = classAgnostic
            ? torch.arange(4, 8, device: deltas.device).unsqueeze(0).expand(positive.shape[0], 4)
            : 4 * labels[positive].unsqueeze(1) + torch.arange(4, device: deltas.device).unsqueeze(0);
        var predicted = deltas[positive].gather(1, columns);
        var box = Losses.SmoothL1(predicted, targets[positive], beta) / Math.Max(1, labels.numel());
        return (classification, box);
    }
}
