using MaskRcnn.Config;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Data.Transforms;

/// <summary>
/// maskrcnn-benchmark's transform pipeline for one image and its target: colour jitter, resize (multi-scale in
/// training, or YOLACT's square with <c>INPUT.SQUASH_SIZE</c>), random flips, then BGR255/normalization. Boxes and masks follow every geometric step. All
/// randomness comes from the <see cref="Random"/> passed in, so a sample's augmentation depends only on its seed.
/// </summary>
public sealed class DetectionTransform(IResizeRule resize, double horizontalFlip, double verticalFlip, ColorJitter jitter, ImageNormalizer normalizer)
{
    public IResizeRule Resize { get; } = resize;
    public ImageNormalizer Normalizer { get; } = normalizer;

    public static DetectionTransform ForTraining(MaskRcnnConfig cfg) => new(
        ResizeFor(cfg, new ResizeRule(cfg.Input.MinSizeTrain, cfg.Input.MaxSizeTrain)),
        cfg.Input.HorizontalFlipProbTrain, cfg.Input.VerticalFlipProbTrain,
        new ColorJitter(cfg.Input.Brightness, cfg.Input.Contrast, cfg.Input.Saturation, cfg.Input.Hue),
        NormalizerFor(cfg));

    public static DetectionTransform ForTesting(MaskRcnnConfig cfg) => new(
        ResizeFor(cfg, new ResizeRule([cfg.Input.MinSizeTest], cfg.Input.MaxSizeTest)), 0, 0, new ColorJitter(0, 0, 0, 0), NormalizerFor(cfg));

    // INPUT.SQUASH_SIZE, when set, replaces the MIN_SIZE/MAX_SIZE rule in training and testing alike.
    static IResizeRule ResizeFor(MaskRcnnConfig cfg, ResizeRule shortSide) =>
        cfg.Input.SquashSize > 0 ? new SquashResize(cfg.Input.SquashSize) : shortSide;

    public static ImageNormalizer NormalizerFor(MaskRcnnConfig cfg) => new(cfg.Input.ToBgr255, cfg.Input.PixelMean, cfg.Input.PixelStd);

    /// <summary>Transforms a [3,H,W] uint8 RGB image and its target (which may be null at test time). Intermediate
    /// tensors belong to the caller's dispose scope, which keeps what it needs (see <see cref="BoxList.MoveToOuterDisposeScope"/>).</summary>
    public (Tensor Image, BoxList? Target) Apply(Tensor image, BoxList? target, Random rng)
    {
        var original = new ImageSize((int)image.shape[1], (int)image.shape[2]);
        var rgb = image.to(ScalarType.Float32) / 255f;
        rgb = jitter.Apply(rgb, rng);
        var size = Resize.TargetSize(original, rng);
        if (size != original)
        {
            // Bilinear; with antialiasing as PIL's resize (which maskrcnn-benchmark uses) filters when shrinking, without
            // for YOLACT's squash as its reference samples. Boxes and masks scale by x and y independently.
            rgb = nn.functional.interpolate(rgb.unsqueeze(0), [size.Height, size.Width], mode: InterpolationMode.Bilinear,
                align_corners: false, antialias: Resize.Antialias).squeeze(0).clamp(0, 1);
            target = target?.Resize(size);
        }
        if (horizontalFlip > 0 && rng.NextDouble() < horizontalFlip)
        {
            rgb = rgb.flip(2);
            target = target?.FlipHorizontal();
        }
        if (verticalFlip > 0 && rng.NextDouble() < verticalFlip)
        {
            rgb = rgb.flip(1);
            target = target?.FlipVertical();
        }
        return (Normalizer.Apply(rgb), target);
    }
}
