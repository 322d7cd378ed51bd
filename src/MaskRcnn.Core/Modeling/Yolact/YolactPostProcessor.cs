using MaskRcnn.Layers;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Yolact;

/// <summary>
/// YOLACT's inference (the reference's Detect and postprocess): anchors whose best foreground probability exceeds
/// SCORE_THRESH are candidates; Fast NMS per class over each class's top NMS_TOP_K — with no second score
/// threshold, as the reference — or greedy NMS per class over the candidates above SCORE_THRESH for that class;
/// the best DETECTIONS_PER_IMG remain. Their masks are σ(P·cᵀ) cropped to the predicted box (one prototype cell of
/// padding), resampled bilinearly to the original image and thresholded at 0.5; boxes are scaled to the original
/// image and clamped to it (kept sub-pixel: the reference truncates them to integers).
/// </summary>
public sealed class YolactPostProcessor(YolactInferenceOptions options)
{
    const double MaskThreshold = 0.5;

    /// <summary>Detections of a batch mapped to the original images.</summary>
    /// <param name="inputSizes">Each image's size in the network input (before padding).</param>
    public List<BoxList> Apply(YolactPredictions predictions, long paddedHeight, long paddedWidth,
        IReadOnlyList<ImageSize> inputSizes, IReadOnlyList<ImageSize> originalSizes)
    {
        using var _ = torch.no_grad();
        var results = new List<BoxList>(inputSizes.Count);
        for (int b = 0; b < inputSizes.Count; b++)
        {
            using var scope = torch.NewDisposeScope();
            var probabilities = nn.functional.softmax(predictions.Conf[b], -1);
            var boxes = YolactBoxCoder.Decode(predictions.Loc[b], predictions.Priors);
            var selected = Select(boxes, probabilities, predictions.Coeffs[b]);
            var detections = ToImage(selected, predictions.Prototypes[b], paddedHeight, paddedWidth, inputSizes[b], originalSizes[b]);
            results.Add(detections.MoveToOuterDisposeScope());
        }
        return results;
    }

    /// <summary>The kept detections: relative point-form boxes [n,4], scores [n], labels 1..C−1 [n], coefficients [n,k],
    /// by decreasing score.</summary>
    public (Tensor Boxes, Tensor Scores, Tensor Labels, Tensor Coeffs) Select(Tensor boxes, Tensor probabilities, Tensor coeffs)
    {
        using var scope = torch.NewDisposeScope();
        var foreground = probabilities[.., 1..];
        var candidates = foreground.max(1).values > options.ScoreThreshold;
        var index = candidates.nonzero().squeeze(1);
        var device = boxes.device;
        if (index.shape[0] == 0)
            return (torch.zeros(0, 4, device: device), torch.zeros(0, device: device), torch.zeros(0, ScalarType.Int64, device),
                torch.zeros(0, coeffs.shape[1], device: device));
        var candidateBoxes = boxes[index];
        var candidateScores = foreground[index];
        Tensor keptBoxes, keptScores, keptClasses, keptIndices;
        if (options.FastNms)
        {
            var kept = FastNms.Apply(candidateBoxes, candidateScores.t(), options.NmsThreshold, options.TopK, scoreThreshold: null, options.DetectionsPerImage);
            (keptBoxes, keptScores, keptClasses, keptIndices) = (kept.Boxes, kept.Scores, kept.Classes, kept.BoxIndices);
        }
        else (keptBoxes, keptScores, keptClasses, keptIndices) = Greedy(candidateBoxes, candidateScores);
        var result = (keptBoxes, keptScores, keptClasses + 1, coeffs[index][keptIndices]);
        return (result.keptBoxes.MoveToOuterDisposeScope(), result.keptScores.MoveToOuterDisposeScope(),
            result.Item3.MoveToOuterDisposeScope(), result.Item4.MoveToOuterDisposeScope());
    }

    /// <summary>Greedy NMS per class over the (candidate, class) pairs above SCORE_THRESH, then the best DETECTIONS_PER_IMG.</summary>
    (Tensor Boxes, Tensor Scores, Tensor Classes, Tensor Indices) Greedy(Tensor boxes, Tensor scores)
    {
        var pairs = (scores > options.ScoreThreshold).nonzero();
        var anchor = pairs[.., 0];
        var classes = pairs[.., 1];
        var pairScores = scores[anchor, classes];
        var pairBoxes = boxes[anchor];
        var keep = Nms.Batched(pairBoxes, pairScores, classes, options.NmsThreshold);
        keep = keep[..(int)Math.Min(options.DetectionsPerImage, keep.shape[0])];
        return (pairBoxes[keep], pairScores[keep], classes[keep], anchor[keep]);
    }

    BoxList ToImage((Tensor Boxes, Tensor Scores, Tensor Labels, Tensor Coeffs) d, Tensor prototypes,
        long paddedHeight, long paddedWidth, ImageSize input, ImageSize original)
    {
        // Relative to the padded input → pixels of the original image.
        double sx = (double)paddedWidth / input.Width * original.Width, sy = (double)paddedHeight / input.Height * original.Height;
        var scale = torch.tensor(new[] { (float)sx, (float)sy, (float)sx, (float)sy }, device: d.Boxes.device);
        var pixels = d.Boxes * scale;
        var x = torch.stack([torch.minimum(pixels[.., 0], pixels[.., 2]), torch.maximum(pixels[.., 0], pixels[.., 2])], 1).clamp(0, original.Width);
        var y = torch.stack([torch.minimum(pixels[.., 1], pixels[.., 3]), torch.maximum(pixels[.., 1], pixels[.., 3])], 1).clamp(0, original.Height);
        var boxes = torch.stack([x[.., 0], y[.., 0], x[.., 1], y[.., 1]], 1);
        var masks = Masks(d, prototypes, paddedHeight, paddedWidth, input, original);
        return new BoxList(boxes, original)
            .With(BoxFields.Scores, d.Scores)
            .With(BoxFields.Labels, d.Labels)
            .With(BoxFields.Masks, new BitMasks(masks));
    }

    /// <summary>Full-size boolean masks [n,H,W] of the original image, made in chunks so that the float
    /// intermediates stay small.</summary>
    static Tensor Masks((Tensor Boxes, Tensor Scores, Tensor Labels, Tensor Coeffs) d, Tensor prototypes,
        long paddedHeight, long paddedWidth, ImageSize input, ImageSize original)
    {
        long n = d.Boxes.shape[0];
        if (n == 0) return torch.zeros([0, original.Height, original.Width], ScalarType.Bool, prototypes.device);
        var logits = torch.matmul(prototypes, d.Coeffs.t());
        var cropped = YolactMaskCrop.Crop(torch.sigmoid(logits), d.Boxes).permute(2, 0, 1);
        bool unpadded = input.Height == paddedHeight && input.Width == paddedWidth;
        var grid = unpadded ? null : SamplingGrid(prototypes.shape[0], prototypes.shape[1], paddedHeight, paddedWidth, input, original, prototypes.device);
        const int chunk = 16;
        var parts = new List<Tensor>();
        for (long start = 0; start < n; start += chunk)
        {
            using var scope = torch.NewDisposeScope();
            var part = cropped[TensorIndex.Slice(start, Math.Min(n, start + chunk))].unsqueeze(1);
            // The reference upsamples the prototype-sized masks straight to the original image.
            var full = grid is null
                ? nn.functional.interpolate(part, [original.Height, original.Width], mode: InterpolationMode.Bilinear, align_corners: false)
                : nn.functional.grid_sample(part, grid.expand(part.shape[0], -1, -1, -1), GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false);
            parts.Add((full.squeeze(1) > MaskThreshold).MoveToOuterDisposeScope());
        }
        return torch.cat(parts, 0);
    }

    /// <summary>The sampling grid that resizes the part of the prototypes covering the unpadded input to the original
    /// image with the same pixel-centre arithmetic as bilinear interpolation (align_corners false; borders clamped).</summary>
    static Tensor SamplingGrid(long protoHeight, long protoWidth, long paddedHeight, long paddedWidth, ImageSize input, ImageSize original, Device device)
    {
        // Output pixel centre (o+0.5) in original pixels → input pixels → padded-relative → normalised [-1, 1].
        var xs = (torch.arange(original.Width, ScalarType.Float64) + 0.5) * ((double)input.Width / original.Width) / paddedWidth * 2 - 1;
        var ys = (torch.arange(original.Height, ScalarType.Float64) + 0.5) * ((double)input.Height / original.Height) / paddedHeight * 2 - 1;
        var gx = xs.view(1, -1).expand(original.Height, original.Width);
        var gy = ys.view(-1, 1).expand(original.Height, original.Width);
        return torch.stack([gx, gy], -1).unsqueeze(0).to(ScalarType.Float32).to(device);
    }
}
