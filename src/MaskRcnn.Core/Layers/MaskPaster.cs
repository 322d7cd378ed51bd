using MaskRcnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MaskRcnn.Layers;

/// <summary>
/// Pastes per-box mask probabilities into full images, as torchvision's paste_masks_in_image: each M×M mask is
/// padded by <paramref name="padding"/> pixels and its box scaled by (M + 2·padding)/M about its centre (so the
/// mask's border falls on the border pixels), the box is truncated to integers, the padded mask is resized
/// bilinearly (align_corners = false) to the box's (x1 − x0 + 1) × (y1 − y0 + 1), and the part inside the
/// image is kept. Thresholding is the caller's job.
/// </summary>
public sealed class MaskPaster(int padding = 1, ComputePath path = ComputePath.Auto)
{
    public int Padding { get; } = padding >= 0 ? padding : throw new ArgumentException($"MaskPaster: padding must be ≥ 0, got {padding}");
    public ComputePath Path { get; } = path;

    /// <param name="masks">[N, 1, M_h, M_w] probabilities.</param>
    /// <param name="boxes">[N, 4] boxes (x1, y1, x2, y2) in image coordinates.</param>
    /// <returns>[N, 1, image_h, image_w], in the masks' dtype and device.</returns>
    public Tensor Paste(Tensor masks, Tensor boxes, int imageHeight, int imageWidth)
    {
        Check(masks, boxes, imageHeight, imageWidth);
        using var scope = torch.NewDisposeScope();
        var intBoxes = ExpandedBoxes(boxes, (double)(masks.size(3) + 2 * Padding) / masks.size(3));
        var pasted = UsesCpuKernel(masks)
            ? PasteWithKernel(masks, intBoxes, imageHeight, imageWidth)
            : PasteWithTensorOps(masks, intBoxes, imageHeight, imageWidth);
        return pasted.MoveToOuterDisposeScope();
    }

    /// <summary>torchvision's expand_boxes then .to(int64) (truncation toward zero), in the boxes' dtype; N × (x0, y0, x1, y1) on the host.</summary>
    static long[] ExpandedBoxes(Tensor boxes, double scale)
    {
        var halfWidth = (boxes.select(1, 2) - boxes.select(1, 0)) * 0.5 * scale;
        var halfHeight = (boxes.select(1, 3) - boxes.select(1, 1)) * 0.5 * scale;
        var centreX = (boxes.select(1, 2) + boxes.select(1, 0)) * 0.5;
        var centreY = (boxes.select(1, 3) + boxes.select(1, 1)) * 0.5;
        using var expanded = torch.stack([centreX - halfWidth, centreY - halfHeight, centreX + halfWidth, centreY + halfHeight], 1)
            .to(ScalarType.Int64).cpu();
        return expanded.data<long>().ToArray();
    }

    Tensor PasteWithKernel(Tensor masks, long[] boxes, int imageHeight, int imageWidth)
    {
        int count = (int)masks.size(0), maskHeight = (int)masks.size(2), maskWidth = (int)masks.size(3);
        var output = HugePageTensors.Empty([count, 1, imageHeight, imageWidth], ScalarType.Float32);
        var source = masks.contiguous();
        unsafe
        {
            MaskPasteCpuKernel.Paste(source.Address<float>(), count, maskHeight, maskWidth, Padding, boxes,
                imageHeight, imageWidth, output.Address<float>());
        }
        return output;
    }

    /// <summary>For devices without the kernel: one interpolate and one slice copy per mask.</summary>
    Tensor PasteWithTensorOps(Tensor masks, long[] boxes, int imageHeight, int imageWidth)
    {
        long count = masks.size(0);
        var padded = F.pad(masks, [Padding, Padding, Padding, Padding]);
        var output = torch.zeros([count, 1, imageHeight, imageWidth], masks.dtype, masks.device);
        for (int i = 0; i < count; i++)
        {
            using var maskScope = torch.NewDisposeScope();
            long x0 = boxes[4 * i], y0 = boxes[4 * i + 1], x1 = boxes[4 * i + 2], y1 = boxes[4 * i + 3];
            long width = Math.Max(x1 - x0 + 1, 1), height = Math.Max(y1 - y0 + 1, 1);
            long colStart = Math.Max(x0, 0), colEnd = Math.Min(x1 + 1, imageWidth);
            long rowStart = Math.Max(y0, 0), rowEnd = Math.Min(y1 + 1, imageHeight);
            if (colStart >= colEnd || rowStart >= rowEnd) continue;
            var resized = F.interpolate(padded.narrow(0, i, 1), [height, width], mode: InterpolationMode.Bilinear, align_corners: false);
            output[i, 0].narrow(0, rowStart, rowEnd - rowStart).narrow(1, colStart, colEnd - colStart)
                .copy_(resized[0, 0].narrow(0, rowStart - y0, rowEnd - rowStart).narrow(1, colStart - x0, colEnd - colStart));
        }
        return output;
    }

    bool UsesCpuKernel(Tensor masks)
    {
        bool supported = masks.device_type == DeviceType.CPU && masks.dtype == ScalarType.Float32;
        if (Path == ComputePath.CpuKernel && !supported)
            throw new ArgumentException($"MaskPaster: the CPU kernel takes float32 CPU tensors, got {masks.dtype} on {masks.device}");
        return Path switch { ComputePath.CpuKernel => true, ComputePath.TensorOps => false, _ => supported };
    }

    static void Check(Tensor masks, Tensor boxes, int imageHeight, int imageWidth)
    {
        if (masks.dim() != 4 || masks.size(1) != 1 || masks.size(2) == 0 || masks.size(3) == 0)
            throw new ArgumentException($"MaskPaster: masks must be [N, 1, M, M], got [{string.Join(", ", masks.shape)}]");
        if (!masks.is_floating_point())
            throw new ArgumentException($"MaskPaster: masks must be floating point, got {masks.dtype}");
        if (boxes.dim() != 2 || boxes.size(1) != 4 || boxes.size(0) != masks.size(0))
            throw new ArgumentException($"MaskPaster: boxes must be [{masks.size(0)}, 4] for {masks.size(0)} masks, got [{string.Join(", ", boxes.shape)}]");
        if (!boxes.is_floating_point())
            throw new ArgumentException($"MaskPaster: boxes must be floating point, got {boxes.dtype}");
        if (imageHeight <= 0 || imageWidth <= 0)
            throw new ArgumentException($"MaskPaster: image size must be positive, got {imageHeight}×{imageWidth}");
    }
}
