using static TorchSharp.torch;

namespace MaskRcnn.Structures.Masks;

/// <summary>
/// The instance masks of one image, whether kept as polygons or as bitmaps: what the data pipeline and the mask-head
/// targets need, so a training target can hold either kind.
/// </summary>
public interface IInstanceMasks : IInstanceField
{
    /// <summary>Size of the image the masks are drawn on.</summary>
    int Height { get; }

    int Width { get; }

    /// <summary>Mirror left-right: x becomes width − x.</summary>
    new IInstanceMasks FlipHorizontal();

    /// <summary>Mirror top-bottom: y becomes height − y.</summary>
    new IInstanceMasks FlipVertical();

    /// <summary>Rescale to an image of <paramref name="height"/>×<paramref name="width"/>.</summary>
    IInstanceMasks Resize(int height, int width);

    /// <summary>
    /// The masks as seen through the pixel box [left, right)×[top, bottom), which becomes the new image;
    /// parts of the box outside the image are empty.
    /// </summary>
    new IInstanceMasks Crop(int left, int top, int right, int bottom);

    /// <summary>The instances at <paramref name="indices"/>, in that order (repeats allowed), e.g. the gt matched to each proposal.</summary>
    IInstanceMasks Select(ReadOnlySpan<long> indices);

    /// <summary>
    /// Mask-head targets: instance i cropped to boxes[i] (x0, y0, x1, y1, image coordinates) and resampled to
    /// <paramref name="size"/>×<paramref name="size"/>. Returns float32 [Count, size, size] of 0/1 on the boxes' device.
    /// </summary>
    Tensor CropAndResize(Tensor boxes, int size);

    /// <summary>The masks as a [Count, Height, Width] tensor of <see cref="ScalarType.Bool"/> or <see cref="ScalarType.Byte"/>.</summary>
    Tensor ToTensor(ScalarType dtype = ScalarType.Bool);

    // As a box-list field, masks follow their boxes through the image's transforms.
    IInstanceField IInstanceField.Select(Tensor indices)
    {
        using var cpu = indices.to(ScalarType.Int64, CPU).contiguous();
        return Select(MaskRcnn.Tensors.TensorMemory.AsSpan<long>(cpu));
    }

    IInstanceField IInstanceField.Resize(ImageSize size) => Resize(size.Height, size.Width);
    IInstanceField IInstanceField.FlipHorizontal() => FlipHorizontal();
    IInstanceField IInstanceField.FlipVertical() => FlipVertical();
    IInstanceField IInstanceField.Crop(int left, int top, int right, int bottom) => Crop(left, top, right, bottom);
}
