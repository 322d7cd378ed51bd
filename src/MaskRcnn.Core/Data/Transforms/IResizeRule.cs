using MaskRcnn.Structures;

namespace MaskRcnn.Data.Transforms;

/// <summary>How the transform sizes an image for the network: maskrcnn-benchmark's short-side rule
/// (<see cref="ResizeRule"/>) or YOLACT's fixed square (<see cref="SquashResize"/>).</summary>
public interface IResizeRule
{
    /// <summary>The network input size for an image of <paramref name="original"/> size; a multi-scale rule draws
    /// from <paramref name="rng"/>.</summary>
    ImageSize TargetSize(ImageSize original, Random rng);

    /// <summary>Whether the image is low-pass filtered when shrunk (as PIL's resize), or sampled bilinearly as is.</summary>
    bool Antialias { get; }
}
