using static TorchSharp.torch;

namespace MaskRcnn.Structures;

/// <summary>
/// The instance masks of one image, whether kept as polygons or as bitmaps: what the data pipeline and the mask-head
/// targets need, so a training target can hold either kind.
/// </summary>
public interface IInstanceMasks
{
    /// <summary>Number of instances.</summary>
    int Count { get; }

    /// <summary>Size of the image the masks are drawn on.</summary>
    int Height { get; }

    int Width { get; }

    /// <summary>Mirror left-right: x becomes width − x.</summary>
    IInstanceMasks FlipHorizontal();

    /// <summary>Rescale to an image of <paramref name="height"/>×<paramref name="width"/>.</summary>
    IInstanceMasks Resize(int height, int width);

    /// <summary>
    /// The masks as seen through the pixel box [left, right)×[top, bottom), which becomes the new image;
    /// parts of the box outside the image are empty.
    /// </summary>
    IInstanceMasks Crop(int left, int top, int right, int bottom);

    /// <summary>The instances at <paramref name="indices"/>, in that order (repeats allowed), e.g. the gt matched to each proposal.</summary>
    IInstanceMasks Select(ReadOnlySpan<long> indices);

    /// <summary>
    /// Mask-head targets: instance i cropped to boxes[i] (x0, y0, x1, y1, image coordinates) and resampled to
    /// <paramref name="size"/>×<paramref name="size"/>. Returns float32 [Count, size, size] of 0/1 on the boxes' device.
    /// </summary>
    Tensor CropAndResize(Tensor boxes, int size);

    /// <summary>The masks as a [Count, Height, Width] tensor of <see cref="ScalarType.Bool"/> or <see cref="ScalarType.Byte"/>.</summary>
    Tensor ToTensor(ScalarType dtype = ScalarType.Bool);
}
