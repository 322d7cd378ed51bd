using static TorchSharp.torch;

namespace MaskRcnn.Structures;

/// <summary>
/// Per-instance data that is not a plain tensor (masks, later keypoints): it follows its boxes through
/// selection and through every geometric transform of the image.
/// </summary>
public interface IInstanceField
{
    int Count { get; }

    /// <summary>The instances at <paramref name="indices"/> ([K] int64), in that order.</summary>
    IInstanceField Select(Tensor indices);

    /// <summary>The image was resized from <paramref name="from"/> to <paramref name="to"/>.</summary>
    IInstanceField Resize(ImageSize from, ImageSize to);

    /// <summary>The image of size <paramref name="size"/> was mirrored left-right.</summary>
    IInstanceField FlipHorizontal(ImageSize size);

    /// <summary>The image was cropped to the box x0,y0 – x1,y1 (pixels).</summary>
    IInstanceField Crop(double x0, double y0, double x1, double y1);
}
