using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Structures.Masks;

/// <summary>
/// One image's instance masks flattened into a label image: 0 where no mask is, k where the k-th mask (1-based) is
/// the first to cover the pixel, so where instances overlap the earlier one (for detections sorted by score, the
/// more confident one) owns the pixel. For drawing detections and saving them as one mask image.
/// </summary>
public static class InstanceLabelMap
{
    /// <summary>[H,W] int32 on the masks' device.</summary>
    public static Tensor Of(BitMasks masks)
    {
        using var scope = torch.NewDisposeScope();
        var map = torch.zeros(masks.Height, masks.Width, ScalarType.Int32, masks.Tensor.device);
        // Last to first, so that earlier instances overwrite later ones.
        for (int i = masks.Count - 1; i >= 0; i--) map.masked_fill_(masks.Tensor[i], i + 1);
        return map.MoveToOuterDisposeScope();
    }
}
