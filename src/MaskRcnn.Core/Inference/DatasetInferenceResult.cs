using MaskRcnn.Data.Coco;

namespace MaskRcnn.Inference;

/// <summary>
/// The COCO results of a run over a dataset (or a shard of it), in image id order and, within an image, in the
/// order of its detections, as maskrcnn-benchmark's <c>prepare_for_coco_*</c> list them: <see cref="Bbox"/> for
/// bbox.json (boxes, no masks) and, for models with masks, <see cref="Segm"/> for segm.json (masks; each box is the
/// mask's bounding box, as pycocotools reads an entry written without one).
/// </summary>
/// <param name="ImageIds">The images run, in id order (unreadable images skipped under <c>DATALOADER.SKIP_BAD_SAMPLES</c>
/// are not among them): evaluate on these.</param>
/// <param name="SkippedImageIds">Images left out because they could not be read.</param>
public sealed record DatasetInferenceResult(
    IReadOnlyList<long> ImageIds,
    IReadOnlyList<CocoResult> Bbox,
    IReadOnlyList<CocoResult>? Segm,
    IReadOnlyList<long> SkippedImageIds,
    TimeSpan Elapsed);
