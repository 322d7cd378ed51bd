using MaskRcnn.Structures;

namespace MaskRcnn.Data.Transforms;

/// <summary>
/// maskrcnn-benchmark's resize rule: the short side becomes one of <see cref="MinSizes"/> (chosen at random in
/// training: multi-scale), unless that would make the long side exceed <see cref="MaxSize"/>, in which case the
/// long side becomes <see cref="MaxSize"/>. Sizes are truncated to whole pixels as there. The aspect ratio is kept
/// (up to that truncation), and shrinking filters as PIL's resize does.
/// </summary>
public sealed record ResizeRule(IReadOnlyList<int> MinSizes, int MaxSize) : IResizeRule
{
    public bool Antialias => true;

    public ImageSize TargetSize(ImageSize original, Random rng) => TargetSize(original, MinSizes[MinSizes.Count == 1 ? 0 : rng.Next(MinSizes.Count)]);

    public ImageSize TargetSize(ImageSize original, int size)
    {
        int w = original.Width, h = original.Height;
        if (MaxSize > 0)
        {
            double minOriginal = Math.Min(w, h), maxOriginal = Math.Max(w, h);
            if (maxOriginal / minOriginal * size > MaxSize)
                size = (int)Math.Round(MaxSize * minOriginal / maxOriginal, MidpointRounding.ToEven);
        }
        if ((w <= h && w == size) || (h <= w && h == size)) return original;
        return w < h ? new ImageSize((int)((long)size * h / w), size) : new ImageSize(size, (int)((long)size * w / h));
    }
}
