using MaskRcnn.Config;
using MaskRcnn.Data.Transforms;
using MaskRcnn.Modeling;
using MaskRcnn.Modeling.MetaArch;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Inference;

/// <summary>
/// maskrcnn-benchmark's test-time augmentation for boxes (<c>TEST.BBOX_AUG</c>, its <c>engine/bbox_aug.py</c>): the
/// model runs at the test scale (<c>INPUT.MIN_SIZE_TEST</c>/<c>MAX_SIZE_TEST</c>), mirrored too with <c>H_FLIP</c>, at
/// each of <c>SCALES</c> (long side capped at <c>MAX_SIZE</c>) and mirrored too with <c>SCALE_H_FLIP</c>. Each pass
/// gives the box head's unfiltered per-class candidates; mirrored ones are mirrored back, all are rescaled to the
/// test-scale image, pooled, and filtered once by the box head's per-class NMS and <c>DETECTIONS_PER_IMG</c>.
/// maskrcnn-benchmark stops at boxes (its mask head then fails on unlabelled boxes, its issue 1009); Mask R-CNN gets
/// masks here as Detectron's <c>im_detect_mask_aug</c> makes them (its default <c>SOFT_AVG</c>): every pass's mask
/// probabilities for the merged boxes (mapped into that pass's pixels, mirrored for mirrored passes), mirrored back
/// and averaged, then pasted and thresholded as without augmentation. R-CNN only.
/// </summary>
public sealed class TestTimeAugmentation
{
    /// <summary>One pass: the short side <paramref name="Scale"/> (long side at most <paramref name="MaxSize"/>),
    /// mirrored left-right when <paramref name="Flip"/>.</summary>
    public sealed record Pass(int Scale, int MaxSize, bool Flip);

    readonly GeneralizedRcnn model;
    readonly ImageNormalizer normalizer;
    readonly int sizeDivisibility;
    readonly float plusOne;

    public TestTimeAugmentation(MaskRcnnConfig cfg, Detector model)
    {
        this.model = model as GeneralizedRcnn
            ?? throw new ConfigNotSupportedException("TEST.BBOX_AUG.ENABLED", $"test-time augmentation of {cfg.Model.MetaArchitecture}, only of R-CNN", null);
        Passes = PassesOf(cfg);
        normalizer = DetectionTransform.NormalizerFor(cfg);
        sizeDivisibility = cfg.DataLoader.SizeDivisibility;
        plusOne = BoxConventions.Parse(cfg.Model.BoxConvention).PlusOne();
    }

    /// <summary>The passes in maskrcnn-benchmark's order; the first, at the test scale, sets the pooling coordinates.</summary>
    public IReadOnlyList<Pass> Passes { get; }

    public static IReadOnlyList<Pass> PassesOf(MaskRcnnConfig cfg)
    {
        var aug = cfg.Test.BboxAug;
        var passes = new List<Pass> { new(cfg.Input.MinSizeTest, cfg.Input.MaxSizeTest, false) };
        if (aug.HFlip) passes.Add(new(cfg.Input.MinSizeTest, cfg.Input.MaxSizeTest, true));
        foreach (var scale in aug.Scales)
        {
            passes.Add(new(scale, aug.MaxSize, false));
            if (aug.ScaleHFlip) passes.Add(new(scale, aug.MaxSize, true));
        }
        return passes;
    }

    /// <summary>Detections of [3,H,W] uint8 RGB images (on the model's device) in their original coordinates, with
    /// "scores" and "labels". Each pass runs in its own dispose scope; only its candidates outlive it.</summary>
    public List<BoxList> Detect(IReadOnlyList<Tensor> rgbImages, IReadOnlyList<ImageSize> originals)
    {
        var merged = Merged(rgbImages);
        if (!model.HasMasks) return merged.Select((m, i) => m.Resize(originals[i])).ToList();
        var average = AverageMasks(rgbImages, merged);
        return merged.Select((m, i) => model.ToImage(m.With(BoxFields.MaskProbabilities, average[i]), originals[i])).ToList();
    }

    /// <summary>The filtered detections of the pooled passes, in the first pass's (the test scale's) coordinates.</summary>
    internal List<BoxList> Merged(IReadOnlyList<Tensor> rgbImages)
    {
        var pooled = rgbImages.Select(_ => new List<BoxList>()).ToList();
        ImageSize[]? reference = null;
        foreach (var pass in Passes)
        {
            using var scope = torch.NewDisposeScope();
            var candidates = model.DetectionCandidates(Inputs(pass, rgbImages));
            reference ??= candidates.Select(c => c.Size).ToArray();
            for (int i = 0; i < candidates.Count; i++)
            {
                var c = pass.Flip ? Unflip(candidates[i]) : candidates[i];
                pooled[i].Add(c.Resize(reference[i]).MoveToOuterDisposeScope());
            }
        }
        return pooled.Select(p => model.FilterCandidates(BoxList.Cat(p))).ToList();
    }

    /// <summary>Each merged detection's mask probabilities averaged over the passes (in the first pass's coordinates).</summary>
    internal List<Tensor> AverageMasks(IReadOnlyList<Tensor> rgbImages, IReadOnlyList<BoxList> merged)
    {
        var sums = new Tensor?[merged.Count];
        foreach (var pass in Passes)
        {
            using var scope = torch.NewDisposeScope();
            var images = Inputs(pass, rgbImages);
            var boxes = merged.Select((m, i) =>
            {
                var here = m.Resize(images.Sizes[i]);
                return pass.Flip ? Unflip(here) : here; // mirroring is its own inverse
            }).ToList();
            var probabilities = model.MaskProbabilities(images, boxes);
            for (int i = 0; i < merged.Count; i++)
            {
                var p = probabilities[i].Field(BoxFields.MaskProbabilities);
                if (pass.Flip) p = p.flip(3);
                sums[i] = (sums[i] is { } sum ? sum + p : p.clone()).MoveToOuterDisposeScope();
            }
        }
        return sums.Select(s => s! / Passes.Count).ToList();
    }

    /// <summary>The network input of one pass: the images resized to its scale (mirrored for a mirrored pass), normalised, padded.</summary>
    ImageList Inputs(Pass pass, IReadOnlyList<Tensor> rgbImages)
    {
        var transform = new DetectionTransform(new ResizeRule([pass.Scale], pass.MaxSize), 0, 0, new ColorJitter(0, 0, 0, 0), normalizer);
        var rng = new Random(0); // the resize draws nothing with one scale
        // Mirroring before resizing is mirroring after: the resize is symmetric.
        return ImageList.FromImages(rgbImages.Select(i => transform.Apply(pass.Flip ? i.flip(2) : i, null, rng).Image).ToList(), sizeDivisibility);
    }

    /// <summary>Mirrors boxes found in a mirrored image back, in that image's pixels: x ↦ W − x, less the "+1" width
    /// under the maskrcnn-benchmark convention (its <c>transpose(FLIP_LEFT_RIGHT)</c>).</summary>
    BoxList Unflip(BoxList c)
    {
        float right = c.Size.Width - plusOne;
        var b = c.Boxes;
        var boxes = torch.stack([right - b[.., 2], b[.., 1], right - b[.., 0], b[.., 3]], dim: 1);
        return new BoxList(boxes, c.Size).With(BoxFields.Scores, c.Field(BoxFields.Scores)).With(BoxFields.Labels, c.Field(BoxFields.Labels));
    }
}
