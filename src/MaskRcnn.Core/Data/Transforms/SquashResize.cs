using MaskRcnn.Structures;

namespace MaskRcnn.Data.Transforms;

/// <summary>
/// YOLACT's input (<c>INPUT.SQUASH_SIZE</c>): every image becomes <see cref="Size"/> × <see cref="Size"/>, its aspect
/// ratio not kept, so x and y scale independently. Sampled with plain bilinear interpolation, no antialiasing, as the
/// reference's inference transform (<c>F.interpolate(..., mode='bilinear', align_corners=False)</c>) and its training
/// resize (OpenCV's linear) do: its published weights saw such inputs. This differs on purpose from
/// <see cref="ResizeRule"/>'s PIL-like antialiased resize.
/// </summary>
public sealed record SquashResize : IResizeRule
{
    public SquashResize(int size)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "the squash size must be positive");
        Size = size;
    }

    public int Size { get; }

    public ImageSize TargetSize(ImageSize original, Random rng) => new(Size, Size);

    public bool Antialias => false;
}
