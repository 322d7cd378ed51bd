using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Layers;

/// <summary>
/// Box arithmetic on [N,4] xyxy tensors, whole-tensor and device-agnostic. The box convention is the
/// one torchvision and detectron2 use: width = x2 − x1 (no "+1"), and clipping to [0, W] × [0, H].
/// This is the one place that convention lives.
/// </summary>
public static class BoxOps
{
    public static Tensor Area(Tensor boxes) =>
        (boxes[.., 2] - boxes[.., 0]) * (boxes[.., 3] - boxes[.., 1]);

    /// <summary>Intersection and union areas of every pair, [N,M] each.</summary>
    static (Tensor Inter, Tensor Union) InterUnion(Tensor a, Tensor b)
    {
        var areaA = Area(a);
        var areaB = Area(b);
        var lt = torch.max(a[.., TensorIndex.None, ..2], b[.., ..2]);
        var rb = torch.min(a[.., TensorIndex.None, 2..], b[.., 2..]);
        var wh = (rb - lt).clamp_min(0);
        var inter = wh[.., .., 0] * wh[.., .., 1];
        return (inter, areaA[.., TensorIndex.None] + areaB - inter);
    }

    /// <summary>IoU of every pair: [N,M].</summary>
    public static Tensor Iou(Tensor a, Tensor b)
    {
        var (inter, union) = InterUnion(a, b);
        return inter / union;
    }

    /// <summary>Generalized IoU of every pair (Rezatofighi et al.): IoU − (hull − union) / hull, [N,M].</summary>
    public static Tensor GeneralizedIou(Tensor a, Tensor b)
    {
        var (inter, union) = InterUnion(a, b);
        var iou = inter / union;
        var lt = torch.min(a[.., TensorIndex.None, ..2], b[.., ..2]);
        var rb = torch.max(a[.., TensorIndex.None, 2..], b[.., 2..]);
        var wh = (rb - lt).clamp_min(0);
        var hull = wh[.., .., 0] * wh[.., .., 1];
        return iou - (hull - union) / hull;
    }

    /// <summary>Clamps x to [0, width] and y to [0, height].</summary>
    public static Tensor Clip(Tensor boxes, int height, int width)
    {
        var x = boxes[.., TensorIndex.Slice(0, null, 2)].clamp(0, width);
        var y = boxes[.., TensorIndex.Slice(1, null, 2)].clamp(0, height);
        return torch.stack([x[.., 0], y[.., 0], x[.., 1], y[.., 1]], dim: 1);
    }

    /// <summary>Indices of boxes whose width and height are both at least <paramref name="minSize"/>.</summary>
    public static Tensor NonSmall(Tensor boxes, double minSize)
    {
        var ws = boxes[.., 2] - boxes[.., 0];
        var hs = boxes[.., 3] - boxes[.., 1];
        return torch.nonzero((ws >= minSize).logical_and(hs >= minSize)).flatten();
    }

    public static Tensor XyxyToXywh(Tensor boxes) =>
        torch.cat([boxes[.., ..2], boxes[.., 2..] - boxes[.., ..2]], dim: 1);

    public static Tensor XywhToXyxy(Tensor boxes) =>
        torch.cat([boxes[.., ..2], boxes[.., ..2] + boxes[.., 2..]], dim: 1);
}
