using MaskRcnn.Config;
using MaskRcnn.Modeling.Rpn;

namespace MaskRcnn.Modeling.RetinaNet;

/// <summary>
/// RetinaNet's anchors as maskrcnn-benchmark's make_anchor_generator_retinanet: per level (one <c>ANCHOR_SIZES</c> entry
/// per <c>ANCHOR_STRIDES</c> entry) the sizes size·OCTAVE^(k/SCALES_PER_OCTAVE), k = 0…SCALES_PER_OCTAVE − 1, each with
/// every aspect ratio. Under torchvision's box convention the sizes are truncated to integers, as torchvision's
/// retinanet_resnet50_fpn builds them (32, 40, 50 for the first level).
/// </summary>
public static class RetinaNetAnchors
{
    public static AnchorGenerator From(RetinaNetConfig r, BoxConvention convention)
    {
        if (r.AnchorSizes.Length != r.AnchorStrides.Length)
            throw new ConfigException($"MODEL.RETINANET.ANCHOR_SIZES has {r.AnchorSizes.Length} sizes for {r.AnchorStrides.Length} ANCHOR_STRIDES (one size per level)");
        if (r.ScalesPerOctave < 1)
            throw new ConfigException($"MODEL.RETINANET.SCALES_PER_OCTAVE must be at least 1, got {r.ScalesPerOctave}");
        var sizes = r.AnchorSizes.Select(size => Enumerable.Range(0, r.ScalesPerOctave)
            .Select(k => Math.Pow(r.Octave, k / (double)r.ScalesPerOctave) * size)
            .Select(s => convention == BoxConvention.Torchvision ? Math.Truncate(s) : s).ToArray()).ToList();
        return new AnchorGenerator(sizes, r.AspectRatios, r.AnchorStrides, convention, r.StraddleThresh, "MODEL.RETINANET");
    }
}
