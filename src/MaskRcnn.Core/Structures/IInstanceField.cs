using static TorchSharp.torch;

namespace MaskRcnn.Structures;

/// <summary>
/// Per-instance data that is not a plain tensor (masks, later keypoints): it knows the size of its image
/// and follows its boxes through selection and through every geometric transform of the image.
/// </summary>
public interface IInstanceField
{
    int Count { get; }

    /// <summary>The instances at <paramref name="indices"/> ([K] int64), in that order.</summary>
    IInstanceField Select(Tensor indices);

    /// <summary>The image was resized to <paramref name="size"/>.</summary>
    IInstanceField Resize(ImageSize size);

    /// <summary>The image was mirrored left-right (x ↦ W − x).</summary>
    IInstanceField FlipHorizontal();

    /// <summary>The image was mirrored top-bottom (y ↦ H − y).</summary>
    IInstanceField FlipVertical();

    /// <summary>The image was cropped to the pixel box [left, right) × [top, bottom).</summary>
    IInstanceField Crop(int left, int top, int right, int bottom);
}
