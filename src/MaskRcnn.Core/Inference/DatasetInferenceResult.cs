using MaskRcnn.Data.Coco;

namespace MaskRcnn.Inference;

/// <summary>
/// The COCO results of a run over a dataset (or a shard of it), in image id order and, within an image, in the
/// order of its detections, as maskrcnn-benchmark's <c>prepare_for_coco_*</c> list them: <see cref="Bbox"/> for
/// bbox.json (boxes, no masks), for models with masks <see cref="Segm"/> for segm.json (masks; each box is the
/// mask's bounding box, as pycocotools reads an entry written without one), and for models with keypoints
/// <see cref="Keypoints"/> for keypoints.json (each box the keypoints' extent, likewise).
/// </summary>
/// <param name="ImageIds">The images run, in id order (unreadable images skipped under <c>DATALOADER.SKIP_BAD_SAMPLES</c>
/// are not among them): evaluate on these.</param>
/// <param name="SkippedImageIds">Images left out because they could not be read.</param>
public sealed record DatasetInferenceResult(
    IReadOnlyList<long> ImageIds,
    IReadOnlyList<CocoResult> Bbox,
    IReadOnlyList<CocoResult>? Segm,
    IReadOnlyList<CocoResult>? Keypoints,
    IReadOnlyList<long> SkippedImageIds,
    TimeSpan Elapsed);
