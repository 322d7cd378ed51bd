using System.Globalization;
using MaskRcnn.Config;

namespace MaskRcnn.Checkpoint;

/// <summary>
/// The config settings a catalog file's weights were trained with and that nothing else checks: a ResNet striding in
/// the other convolution, or images in another range or channel order, load without complaint and only detect worse.
/// </summary>
/// <param name="StrideIn1x1">MODEL.RESNETS.STRIDE_IN_1X1: MSRA's ResNets stride in the 1×1 convolution, FAIR's (ResNeXt, the GroupNorm ones) in the 3×3.</param>
/// <param name="ToBgr255">INPUT.TO_BGR255: Caffe2 models read BGR in 0-255.</param>
/// <param name="PixelMean">INPUT.PIXEL_MEAN, BGR.</param>
/// <param name="PixelStd">INPUT.PIXEL_STD.</param>
public sealed record CatalogWeightSettings(bool StrideIn1x1, bool ToBgr255, IReadOnlyList<double> PixelMean, IReadOnlyList<double> PixelStd)
{
    /// <summary>torchvision's ImageNet and detection weights: stride in the 3×3, RGB in [0, 1] normalised by ImageNet's statistics.</summary>
    public static CatalogWeightSettings Torchvision { get; } = new(StrideIn1x1: false, ToBgr255: false, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);

    /// <summary>Detectron's: BGR 0-255 less its ImageNet mean, not scaled (maskrcnn-benchmark's INPUT defaults).</summary>
    public static CatalogWeightSettings Caffe2(bool strideIn1x1) => new(strideIn1x1, ToBgr255: true, [102.9801, 115.9465, 122.7717], [1.0, 1.0, 1.0]);

    /// <summary>One warning line per setting of <paramref name="cfg"/> that differs, naming the key, both values and <paramref name="weight"/>.</summary>
    public IReadOnlyList<string> Mismatches(MaskRcnnConfig cfg, string weight)
    {
        var warnings = new List<string>();
        void Check(string key, string configured, string trained)
        {
            if (configured != trained) warnings.Add($"{key} is {configured} but {weight} was trained with {trained}");
        }
        Check("MODEL.RESNETS.STRIDE_IN_1X1", Format(cfg.Model.ResNets.StrideIn1x1), Format(StrideIn1x1));
        Check("INPUT.TO_BGR255", Format(cfg.Input.ToBgr255), Format(ToBgr255));
        Check("INPUT.PIXEL_MEAN", Format(cfg.Input.PixelMean), Format(PixelMean));
        Check("INPUT.PIXEL_STD", Format(cfg.Input.PixelStd), Format(PixelStd));
        return warnings;
    }

    static string Format(bool value) => value ? "True" : "False";

    static string Format(IReadOnlyList<double> values) => $"({string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))})";
}
