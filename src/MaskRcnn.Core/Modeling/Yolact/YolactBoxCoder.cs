using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Yolact;

/// <summary>
/// SSD's box encoding as YOLACT uses it: anchors are (cx, cy, w, h) and boxes (x1, y1, x2, y2), all relative to the
/// input's width and height; deltas are ((cx − acx)/(0.1·aw), (cy − acy)/(0.1·ah), ln(w/aw)/0.2, ln(h/ah)/0.2).
/// No clamping of dw/dh, as the reference.
/// </summary>
public static class YolactBoxCoder
{
    public const double CenterVariance = 0.1, SizeVariance = 0.2;

    /// <summary>Deltas [..,4] of point-form <paramref name="boxes"/> against center-size <paramref name="anchors"/> (same leading shape).</summary>
    public static Tensor Encode(Tensor boxes, Tensor anchors)
    {
        using var scope = torch.NewDisposeScope();
        var center = (boxes[.., ..2] + boxes[.., 2..]) / 2 - anchors[.., ..2];
        center = center / (CenterVariance * anchors[.., 2..]);
        var size = torch.log((boxes[.., 2..] - boxes[.., ..2]) / anchors[.., 2..]) / SizeVariance;
        return torch.cat([center, size], 1).MoveToOuterDisposeScope();
    }

    /// <summary>Point-form boxes [A,4] from deltas [A,4] and center-size anchors [A,4].</summary>
    public static Tensor Decode(Tensor deltas, Tensor anchors)
    {
        using var scope = torch.NewDisposeScope();
        var center = anchors[.., ..2] + deltas[.., ..2] * CenterVariance * anchors[.., 2..];
        var size = anchors[.., 2..] * torch.exp(deltas[.., 2..] * SizeVariance);
        var topLeft = center - size / 2;
        return torch.cat([topLeft, topLeft + size], 1).MoveToOuterDisposeScope();
    }

    /// <summary>Center-size (cx, cy, w, h) to point form (x1, y1, x2, y2).</summary>
    public static Tensor PointForm(Tensor centerSize)
    {
        using var scope = torch.NewDisposeScope();
        var half = centerSize[.., 2..] / 2;
        return torch.cat([centerSize[.., ..2] - half, centerSize[.., ..2] + half], 1).MoveToOuterDisposeScope();
    }
}
