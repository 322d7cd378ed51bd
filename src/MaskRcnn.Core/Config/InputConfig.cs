namespace MaskRcnn.Config;

/// <summary>INPUT: resizing, normalization and augmentation of images.</summary>
public sealed class InputConfig : ConfigSection
{
    [Key("MIN_SIZE_TRAIN")] public int[] MinSizeTrain { get; set; } = [800];
    [Key("MAX_SIZE_TRAIN")] public int MaxSizeTrain { get; set; } = 1333;
    [Key("MIN_SIZE_TEST")] public int MinSizeTest { get; set; } = 800;
    [Key("MAX_SIZE_TEST")] public int MaxSizeTest { get; set; } = 1333;
    [Key("PIXEL_MEAN")] public double[] PixelMean { get; set; } = [102.9801, 115.9465, 122.7717];
    [Key("PIXEL_STD")] public double[] PixelStd { get; set; } = [1.0, 1.0, 1.0];
    [Key("TO_BGR255")] public bool ToBgr255 { get; set; } = true;
    [Key("BRIGHTNESS")] public double Brightness { get; set; } = 0.0;
    [Key("CONTRAST")] public double Contrast { get; set; } = 0.0;
    [Key("SATURATION")] public double Saturation { get; set; } = 0.0;
    [Key("HUE")] public double Hue { get; set; } = 0.0;
    [Key("HORIZONTAL_FLIP_PROB_TRAIN")] public double HorizontalFlipProbTrain { get; set; } = 0.5;
    [Key("VERTICAL_FLIP_PROB_TRAIN")] public double VerticalFlipProbTrain { get; set; } = 0.0;

    // Beyond maskrcnn-benchmark (README lists them).
    // Images declaring more pixels are refused before decoding (decompression bombs); Pillow's default limit.
    [Key("MAX_IMAGE_PIXELS")] public int MaxImagePixels { get; set; } = 89_478_485;
    // YOLACT's input: every image resized to SQUASH_SIZE x SQUASH_SIZE, aspect ratio not kept (0: off, the
    // MIN_SIZE/MAX_SIZE rule applies).
    [Key("SQUASH_SIZE")] public int SquashSize { get; set; } = 0;
}
