using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Layers;

/// <summary>The detection losses, as elementwise or summed tensors; callers normalize (maskrcnn-benchmark
/// divides the summed box loss by the number of sampled RoIs/anchors, not by the number of positives).</summary>
public static class Losses
{
    /// <summary>Smooth L1 (Huber with slope 1): 0.5·x²/β for |x| &lt; β, |x| − 0.5·β otherwise; β = 0 is plain L1.
    /// β is 1/9 for the RPN and 1 for maskrcnn-benchmark's box head. Summed over all elements.</summary>
    public static Tensor SmoothL1(Tensor input, Tensor target, double beta)
    {
        using var scope = torch.NewDisposeScope();
        var n = (input - target).abs();
        var loss = beta < 1e-12 ? n : torch.where(n < beta, 0.5 * n * n / beta, n - 0.5 * beta);
        return loss.sum().MoveToOuterDisposeScope();
    }

    /// <summary>Elementwise smooth L1, for callers that weight elements.</summary>
    public static Tensor SmoothL1Elementwise(Tensor input, Tensor target, double beta)
    {
        using var scope = torch.NewDisposeScope();
        var n = (input - target).abs();
        return (beta < 1e-12 ? n : torch.where(n < beta, 0.5 * n * n / beta, n - 0.5 * beta)).MoveToOuterDisposeScope();
    }

    /// <summary>Sigmoid focal loss (Lin et al., 2017), elementwise: α_t·(1 − p_t)^γ·BCE(logits, targets);
    /// α &lt; 0 disables the class weighting.</summary>
    public static Tensor SigmoidFocal(Tensor logits, Tensor targets, double alpha = 0.25, double gamma = 2.0)
    {
        using var scope = torch.NewDisposeScope();
        var p = torch.sigmoid(logits);
        var ce = nn.functional.binary_cross_entropy_with_logits(logits, targets, reduction: nn.Reduction.None);
        var pt = p * targets + (1 - p) * (1 - targets);
        var loss = ce * (1 - pt).pow(gamma);
        if (alpha >= 0) loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss;
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>GIoU loss, 1 − GIoU, for matched box pairs [N,4] each, elementwise [N].
    /// <paramref name="eps"/> keeps degenerate boxes finite, as torchvision does.</summary>
    public static Tensor GeneralizedIou(Tensor boxes1, Tensor boxes2, double eps = 1e-7)
    {
        using var scope = torch.NewDisposeScope();
        var (x1, y1, x2, y2) = (boxes1[.., 0], boxes1[.., 1], boxes1[.., 2], boxes1[.., 3]);
        var (x1g, y1g, x2g, y2g) = (boxes2[.., 0], boxes2[.., 1], boxes2[.., 2], boxes2[.., 3]);
        var xkis1 = torch.max(x1, x1g);
        var ykis1 = torch.max(y1, y1g);
        var xkis2 = torch.min(x2, x2g);
        var ykis2 = torch.min(y2, y2g);
        var inter = torch.zeros_like(x1);
        var overlap = (ykis2 > ykis1).logical_and(xkis2 > xkis1);
        inter = torch.where(overlap, (xkis2 - xkis1) * (ykis2 - ykis1), inter);
        var union = (x2 - x1) * (y2 - y1) + (x2g - x1g) * (y2g - y1g) - inter;
        var iou = inter / (union + eps);
        var hull = (torch.max(x2, x2g) - torch.min(x1, x1g)) * (torch.max(y2, y2g) - torch.min(y1, y1g));
        var giou = iou - (hull - union) / (hull + eps);
        return (1 - giou).MoveToOuterDisposeScope();
    }
}
