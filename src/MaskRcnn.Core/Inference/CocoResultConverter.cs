using MaskRcnn.Data;
using MaskRcnn.Data.Coco;
using MaskRcnn.Modeling;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Keypoints;
using MaskRcnn.Structures.Masks;
using MaskRcnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Inference;

/// <summary>
/// One image's detections (in original image coordinates, as <see cref="Predictor"/> gives them) as COCO results,
/// with the semantics of maskrcnn-benchmark's <c>prepare_for_coco_detection</c> / <c>prepare_for_coco_segmentation</c>
/// (and torchvision's reference <c>prepare_for_coco_*</c> under its box convention): one result per detection in the
/// detections' order; the category is the dataset's id for the label; the box is x, y, width, height with
/// width = x2 − x1 + 1 under <see cref="BoxConvention.MaskrcnnBenchmark"/> (its <c>convert("xywh")</c>) or x2 − x1 under
/// <see cref="BoxConvention.Torchvision"/>, computed in the boxes' own precision (float32) and only then widened, as
/// <c>tolist()</c> does; the score likewise; the mask, when present, as run-lengths; the keypoints, when present, as
/// <c>prepare_for_coco_keypoint</c> flattens them: x, y, v (v = 1) per keypoint in float32, then widened, each with
/// its score (the heatmap logit) beside.
/// </summary>
public sealed class CocoResultConverter(DetectionCategories categories, BoxConvention convention)
{
    public DetectionCategories Categories { get; } = categories;
    public BoxConvention Convention { get; } = convention;

    public static CocoResultConverter For(CocoDetectionDataset dataset, BoxConvention convention) => new(DetectionCategories.Of(dataset), convention);

    /// <summary>One result per detection with its box and, when the detections carry <see cref="BoxFields.Masks"/> or
    /// <see cref="BoxFields.Keypoints"/>, its mask and keypoints: what <c>predict</c> writes. <see cref="ForBboxFile"/>,
    /// <see cref="ForSegmFile"/> and <see cref="ForKeypointsFile"/> split it the way maskrcnn-benchmark writes bbox.json,
    /// segm.json and keypoints.json.</summary>
    public IReadOnlyList<CocoResult> Convert(long imageId, BoxList detections)
    {
        int count = detections.Count;
        if (count == 0) return [];
        using var scope = torch.NewDisposeScope();
        var boxes = detections.Boxes.cpu();
        var sizes = boxes[.., 2..] - boxes[.., ..2];
        if (Convention == BoxConvention.MaskrcnnBenchmark) sizes = sizes + Convention.PlusOne();
        var xywh = torch.cat([boxes[.., ..2], sizes], 1).ToCpuContiguous(ScalarType.Float64).AsSpan<double>();
        var scores = detections.Field(BoxFields.Scores).ToCpuContiguous(ScalarType.Float64).AsSpan<double>();
        var labels = detections.Field(BoxFields.Labels).ToCpuContiguous(ScalarType.Int64).AsSpan<long>();
        var rles = detections.Has(BoxFields.Masks) ? detections.Field<BitMasks>(BoxFields.Masks).ToRles() : null;
        var (keypoints, keypointScores) = detections.Has(BoxFields.Keypoints) ? Keypoints(detections) : (null, null);
        int k = PersonKeypoints.Names.Count;
        var results = new CocoResult[count];
        for (int i = 0; i < count; i++)
            results[i] = new CocoResult(imageId, Categories.CategoryOf(labels[i]),
                new CocoBox(xywh[4 * i], xywh[4 * i + 1], xywh[4 * i + 2], xywh[4 * i + 3]), scores[i], rles?[i],
                keypoints?[(3 * k * i)..(3 * k * (i + 1))], keypointScores?[(k * i)..(k * (i + 1))]);
        return results;
    }

    /// <summary>All detections' keypoints flattened (x, y, v per keypoint, v = 1 as predicted) and their scores: the
    /// float32 values widened exactly.</summary>
    static (double[] Keypoints, double[] Scores) Keypoints(BoxList detections) =>
        (detections.Field<PersonKeypoints>(BoxFields.Keypoints).Tensor.ToCpuContiguous(ScalarType.Float64).AsSpan<double>().ToArray(),
         detections.Field(BoxFields.KeypointScores).ToCpuContiguous(ScalarType.Float64).AsSpan<double>().ToArray());

    /// <summary>A bbox.json entry: the box, no mask, no keypoints (<c>prepare_for_coco_detection</c>).</summary>
    public static CocoResult ForBboxFile(CocoResult result) => result with { Segmentation = null, Keypoints = null, KeypointScores = null };

    /// <summary>A segm.json entry (<c>prepare_for_coco_segmentation</c>): written without a box, so its box is the one
    /// pycocotools' <c>loadRes</c> gives such an entry, the mask's bounding box. Needs a mask.</summary>
    public static CocoResult ForSegmFile(CocoResult result) => result.Segmentation is { } rle
        ? result with { Bbox = rle.ToBbox(), Keypoints = null, KeypointScores = null }
        : throw new ArgumentException($"image {result.ImageId}: a segm result needs a mask", nameof(result));

    /// <summary>A keypoints.json entry (<c>prepare_for_coco_keypoint</c>: image, category, keypoints, score): written
    /// without a box, so its box is the one pycocotools' <c>loadRes</c> gives such an entry, the keypoints' extent
    /// (<see cref="CocoResultsFile.KeypointExtent"/>). Needs keypoints.</summary>
    public static CocoResult ForKeypointsFile(CocoResult result) => result.Keypoints is { } keypoints
        ? result with { Bbox = CocoResultsFile.KeypointExtent(keypoints), Segmentation = null, KeypointScores = null }
        : throw new ArgumentException($"image {result.ImageId}: a keypoints result needs keypoints", nameof(result));
}
