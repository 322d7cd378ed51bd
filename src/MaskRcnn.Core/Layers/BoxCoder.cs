using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Layers;

/// <summary>
/// Encodes boxes as regression targets relative to reference boxes and decodes predictions back:
/// (dx, dy, dw, dh) = weights · ((x − xa)/wa, (y − ya)/ha, log(w/wa), log(h/ha)) on box centres and sizes.
/// Weights are (10, 10, 5, 5) for the box head and (1, 1, 1, 1) for the RPN. dw and dh are clamped at
/// <see cref="DefaultClip"/> before exp so that a wild prediction cannot overflow. <paramref name="plusOne"/> is 1 for
/// maskrcnn-benchmark's convention (widths x2 − x1 + 1, decoded x2 one pixel in), 0 for torchvision's.
/// </summary>
public sealed class BoxCoder(double wx, double wy, double ww, double wh, double clip = BoxCoder.DefaultClip, float plusOne = 0f)
{
    /// <summary>log(1000/16): no box grows more than 1000/16 times its reference.</summary>
    public const double DefaultClip = 4.135166556742356;

    public BoxCoder(IReadOnlyList<double> weights, double clip = DefaultClip, float plusOne = 0f) : this(weights[0], weights[1], weights[2], weights[3], clip, plusOne) { }

    public (double X, double Y, double W, double H) Weights => (wx, wy, ww, wh);

    /// <summary>Targets [N,4] that move each of <paramref name="reference"/> onto the matching <paramref name="target"/>.</summary>
    public Tensor Encode(Tensor target, Tensor reference)
    {
        using var scope = torch.NewDisposeScope();
        var (rw, rh, rx, ry) = CentreSize(reference);
        var (tw, th, tx, ty) = CentreSize(target);
        var dx = wx * (tx - rx) / rw;
        var dy = wy * (ty - ry) / rh;
        var dw = ww * torch.log(tw / rw);
        var dh = wh * torch.log(th / rh);
        return torch.stack([dx, dy, dw, dh], dim: 1).MoveToOuterDisposeScope();
    }

    /// <summary>Applies deltas [N,4k] (k boxes per reference, e.g. one per class) to reference boxes [N,4]; returns [N,4k].</summary>
    public Tensor Decode(Tensor deltas, Tensor reference)
    {
        using var scope = torch.NewDisposeScope();
        reference = reference.to(deltas.dtype);
        var (w, h, cx, cy) = CentreSize(reference);
        var dx = deltas[.., TensorIndex.Slice(0, null, 4)] / wx;
        var dy = deltas[.., TensorIndex.Slice(1, null, 4)] / wy;
        var dw = (deltas[.., TensorIndex.Slice(2, null, 4)] / ww).clamp_max(clip);
        var dh = (deltas[.., TensorIndex.Slice(3, null, 4)] / wh).clamp_max(clip);
        var px = dx * w[.., TensorIndex.None] + cx[.., TensorIndex.None];
        var py = dy * h[.., TensorIndex.None] + cy[.., TensorIndex.None];
        var halfW = 0.5f * (torch.exp(dw) * w[.., TensorIndex.None]);
        var halfH = 0.5f * (torch.exp(dh) * h[.., TensorIndex.None]);
        var boxes = torch.stack([px - halfW, py - halfH, px + halfW - plusOne, py + halfH - plusOne], dim: 2).flatten(1);
        return boxes.MoveToOuterDisposeScope();
    }

    (Tensor W, Tensor H, Tensor Cx, Tensor Cy) CentreSize(Tensor boxes)
    {
        var w = boxes[.., 2] - boxes[.., 0] + plusOne;
        var h = boxes[.., 3] - boxes[.., 1] + plusOne;
        return (w, h, boxes[.., 0] + 0.5f * w, boxes[.., 1] + 0.5f * h);
    }
}
