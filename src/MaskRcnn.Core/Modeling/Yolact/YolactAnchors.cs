using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Yolact;

/// <summary>
/// YOLACT's anchors ("priors"), as (cx, cy, w, h) relative to the input's width and height: for each level (one
/// scale each, in input pixels), cell by cell row-major, one anchor per aspect ratio r centred at
/// ((i+0.5)/w, (j+0.5)/h), of size scale·√r × scale/√r pixels. With square anchors (the reference's
/// use_square_anchors, which its published weights were trained with) the height equals the width in pixels.
/// For a square input this is exactly the reference's make_priors with use_pixel_scales and preapply_sqrt off.
/// </summary>
public sealed class YolactAnchors
{
    readonly double[] scales, aspectRatios;
    readonly bool square;
    readonly Dictionary<string, Tensor> cache = [];

    public YolactAnchors(IReadOnlyList<double> scales, IReadOnlyList<double> aspectRatios, bool square)
    {
        if (scales.Count == 0 || scales.Any(s => !(s > 0))) throw new ArgumentException($"anchor scales must be positive, got [{string.Join(", ", scales)}]");
        if (aspectRatios.Count == 0 || aspectRatios.Any(r => !(r > 0))) throw new ArgumentException($"aspect ratios must be positive, got [{string.Join(", ", aspectRatios)}]");
        this.scales = scales.ToArray();
        this.aspectRatios = aspectRatios.ToArray();
        this.square = square;
    }

    public int Levels => scales.Length;
    public int PerCell => aspectRatios.Length;

    /// <summary>The anchors [A,4] (float32) for feature maps of these sizes, finest first, on an input of this size.
    /// Computed in double as the reference does and cached per shape and device.</summary>
    public Tensor For(IReadOnlyList<(long Height, long Width)> levelSizes, long imageHeight, long imageWidth, Device device)
    {
        if (levelSizes.Count != scales.Length)
            throw new ArgumentException($"{scales.Length} anchor scales but {levelSizes.Count} feature levels");
        var key = $"{device}|{imageHeight}x{imageWidth}|{string.Join(";", levelSizes)}";
        if (cache.TryGetValue(key, out var cached)) return cached;
        int total = levelSizes.Sum(s => checked((int)(s.Height * s.Width))) * PerCell;
        var data = new float[total * 4];
        int k = 0;
        for (int level = 0; level < levelSizes.Count; level++)
        {
            var (h, w) = levelSizes[level];
            double scale = scales[level];
            for (long j = 0; j < h; j++)
            for (long i = 0; i < w; i++)
            {
                double cx = (i + 0.5) / w, cy = (j + 0.5) / h;
                foreach (var ratio in aspectRatios)
                {
                    double r = Math.Sqrt(ratio);
                    double aw = scale * r / imageWidth;
                    double ah = square ? scale * r / imageHeight : scale / r / imageHeight;
                    data[k++] = (float)cx;
                    data[k++] = (float)cy;
                    data[k++] = (float)aw;
                    data[k++] = (float)ah;
                }
            }
        }
        var anchors = torch.tensor(data, [total, 4]).to(device);
        anchors.DetachFromDisposeScope();
        cache[key] = anchors;
        return anchors;
    }
}
