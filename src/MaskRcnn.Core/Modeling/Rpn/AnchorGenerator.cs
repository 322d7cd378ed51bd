using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Rpn;

/// <summary>
/// Anchors for every location of every feature level: per level, a few cell anchors (one per size × aspect
/// ratio, ratio-major) shifted by the level's stride. Sizes may be fractional (RetinaNet's octave scales). One level with all sizes (C4), or one size per level (FPN).
/// The cell anchors and strides follow <see cref="BoxConvention"/>.
/// </summary>
public sealed class AnchorGenerator
{
    readonly float[][] cellAnchors; // per level, A×4 xyxy
    readonly int[] strides;
    readonly BoxConvention convention;

    public AnchorGenerator(IReadOnlyList<double[]> sizesPerLevel, IReadOnlyList<double> aspectRatios, IReadOnlyList<int> strides, BoxConvention convention, int straddleThreshold, string configNode = "MODEL.RPN")
    {
        if (sizesPerLevel.Count != strides.Count)
            throw new Config.ConfigException($"{configNode}: {strides.Count} anchor strides for {sizesPerLevel.Count} levels of anchor sizes (FPN needs one size per stride)");
        this.strides = strides.ToArray();
        this.convention = convention;
        StraddleThreshold = straddleThreshold;
        cellAnchors = sizesPerLevel.Select((sizes, i) => convention == BoxConvention.MaskrcnnBenchmark
            ? DetectronCellAnchors(strides[i], sizes, aspectRatios)
            : TorchvisionCellAnchors(sizes, aspectRatios)).ToArray();
        AnchorsPerLocation = cellAnchors[0].Length / 4;
    }

    /// <summary>From <c>MODEL.RPN</c>: one stride → one level with every size; several → one size per level.</summary>
    public static AnchorGenerator From(Config.RpnConfig rpn, BoxConvention convention)
    {
        var all = rpn.AnchorSizes.Select(s => (double)s).ToArray();
        var sizes = rpn.AnchorStride.Length == 1 ? [all] : all.Select(s => new[] { s }).ToList();
        return new AnchorGenerator(sizes, rpn.AspectRatios, rpn.AnchorStride, convention, rpn.StraddleThresh);
    }

    public int AnchorsPerLocation { get; }
    public int Levels => cellAnchors.Length;
    public int StraddleThreshold { get; }

    /// <summary>The cell anchors of a level, [A,4].</summary>
    public Tensor CellAnchors(int level) => torch.tensor(cellAnchors[level], [cellAnchors[level].Length / 4, 4]);

    /// <summary>Anchors of each level for feature maps of the given sizes, [H·W·A, 4] location-major, for a batch
    /// padded to <paramref name="paddedSize"/> (torchvision derives its strides from it).</summary>
    public Tensor[] GridAnchors(IReadOnlyList<(long Height, long Width)> gridSizes, ImageSize paddedSize, Device device)
    {
        if (gridSizes.Count != Levels) throw new ArgumentException($"{gridSizes.Count} feature maps for {Levels} anchor levels");
        var result = new Tensor[Levels];
        for (int level = 0; level < Levels; level++)
        {
            var (h, w) = gridSizes[level];
            long strideY = strides[level], strideX = strides[level];
            if (convention == BoxConvention.Torchvision)
                (strideY, strideX) = (paddedSize.Height / h, paddedSize.Width / w);
            using var scope = torch.NewDisposeScope();
            var shiftX = torch.arange(w, ScalarType.Int64, device) * strideX;
            var shiftY = torch.arange(h, ScalarType.Int64, device) * strideY;
            var ys = shiftY.view(-1, 1).expand(h, w).reshape(-1);
            var xs = shiftX.view(1, -1).expand(h, w).reshape(-1);
            var shifts = torch.stack([xs, ys, xs, ys], 1).to(ScalarType.Float32);
            var cells = CellAnchors(level).to(device);
            result[level] = (shifts.view(-1, 1, 4) + cells.view(1, -1, 4)).reshape(-1, 4).MoveToOuterDisposeScope();
        }
        return result;
    }

    /// <summary>maskrcnn-benchmark's straddle rule: anchors reaching more than the threshold outside the image are not
    /// used for training. A negative threshold keeps every anchor.</summary>
    public Tensor Visible(Tensor anchors, ImageSize size)
    {
        if (StraddleThreshold < 0) return torch.ones(anchors.shape[0], ScalarType.Bool, anchors.device);
        int t = StraddleThreshold;
        return (anchors[.., 0] >= -t).logical_and(anchors[.., 1] >= -t)
            .logical_and(anchors[.., 2] < size.Width + t).logical_and(anchors[.., 3] < size.Height + t);
    }

    /// <summary>Detectron's anchors: a stride×stride box at the origin, reshaped to each aspect ratio with the area kept
    /// (widths rounded half-to-even), then scaled to each size; "+1" widths, centre (stride − 1)/2.</summary>
    static float[] DetectronCellAnchors(int stride, double[] sizes, IReadOnlyList<double> ratios)
    {
        double centre = 0.5 * (stride - 1);
        var anchors = new List<float>();
        foreach (var ratio in ratios)
        {
            double area = (double)stride * stride;
            double ws = Math.Round(Math.Sqrt(area / ratio), MidpointRounding.ToEven);
            double hs = Math.Round(ws * ratio, MidpointRounding.ToEven);
            foreach (var size in sizes)
            {
                double scale = size / stride;
                double w = ws * scale, h = hs * scale;
                anchors.AddRange([(float)(centre - 0.5 * (w - 1)), (float)(centre - 0.5 * (h - 1)), (float)(centre + 0.5 * (w - 1)), (float)(centre + 0.5 * (h - 1))]);
            }
        }
        return anchors.ToArray();
    }

    /// <summary>torchvision's anchors: zero-centred, w = size/√r, h = size·√r, halved and rounded half-to-even, in float32.</summary>
    static float[] TorchvisionCellAnchors(double[] sizes, IReadOnlyList<double> ratios)
    {
        var anchors = new List<float>();
        foreach (var ratio in ratios)
        {
            float hRatio = MathF.Sqrt((float)ratio);
            float wRatio = 1f / hRatio;
            foreach (var size in sizes)
            {
                float w = wRatio * (float)size, h = hRatio * (float)size;
                anchors.AddRange([MathF.Round(-w / 2, MidpointRounding.ToEven), MathF.Round(-h / 2, MidpointRounding.ToEven),
                                  MathF.Round(w / 2, MidpointRounding.ToEven), MathF.Round(h / 2, MidpointRounding.ToEven)]);
            }
        }
        return anchors.ToArray();
    }
}
