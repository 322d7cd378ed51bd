using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Yolact;

/// <summary>
/// YOLACT's crop: zero every mask outside its box. Boxes are relative (x1, y1, x2, y2); they are scaled to the mask
/// grid, ordered, widened by <c>padding</c> cells each side and clamped to the grid, without rounding; a cell
/// (x, y) stays when x1 ≤ x &lt; x2 and y1 ≤ y &lt; y2 (the reference's <c>crop</c> and <c>sanitize_coordinates</c>).
/// </summary>
public static class YolactMaskCrop
{
    /// <param name="masks">[h,w,n] masks, one per box (the reference's layout).</param>
    /// <param name="boxes">[n,4] relative point-form boxes.</param>
    public static Tensor Crop(Tensor masks, Tensor boxes, int padding = 1)
    {
        using var scope = torch.NewDisposeScope();
        long h = masks.shape[0], w = masks.shape[1];
        var (x1, x2) = Sanitize(boxes[.., 0], boxes[.., 2], w, padding);
        var (y1, y2) = Sanitize(boxes[.., 1], boxes[.., 3], h, padding);
        var columns = torch.arange(w, dtype: x1.dtype, device: masks.device).view(1, -1, 1);
        var rows = torch.arange(h, dtype: y1.dtype, device: masks.device).view(-1, 1, 1);
        var keep = (columns >= x1.view(1, 1, -1)) & (columns < x2.view(1, 1, -1)) & (rows >= y1.view(1, 1, -1)) & (rows < y2.view(1, 1, -1));
        return (masks * keep.to(masks.dtype)).MoveToOuterDisposeScope();
    }

    /// <summary>Relative coordinates of one axis to ordered, padded, clamped grid coordinates.</summary>
    public static (Tensor Low, Tensor High) Sanitize(Tensor a, Tensor b, long size, int padding)
    {
        var low = torch.minimum(a * size, b * size);
        var high = torch.maximum(a * size, b * size);
        return ((low - padding).clamp_min(0), (high + padding).clamp_max(size));
    }
}
