using MaskRcnn.Data.Coco;
using MaskRcnn.IO;
using MaskRcnn.Structures.Keypoints;

namespace MaskRcnn.Inference;

/// <summary>
/// Writes <c>predictions.json</c>: a COCO instances file whose annotations are the detections, so that
/// pycocotools' <c>COCO("predictions.json")</c> loads it as is (browse by image, <c>showAnns</c>, <c>annToMask</c>) and
/// its <c>"annotations"</c> list is at the same time a COCO results list (<c>image_id</c>, <c>category_id</c>,
/// <c>bbox</c>, <c>score</c>, <c>segmentation</c>) for tools that read those:
/// <code>
/// {"images":      [{"id", "file_name", "width", "height", "path", "overlay", "masks"?}],
///  "categories":  [{"id", "name"}],
///  "annotations": [{"id", "image_id", "category_id", "bbox": [x, y, w, h], "area", "iscrowd": 0, "score",
///                   "segmentation"?: {"size": [h, w], "counts": "compressed RLE"},
///                   "num_keypoints"?: 17, "keypoints"?: [x, y, v, …], "keypoint_scores"?: [s, …]}]}
/// </code>
/// A keypoint model's detections carry COCO's 17 person keypoints as its results list does (x, y in original pixels,
/// v = 1, as maskrcnn-benchmark's keypoints.json) and each keypoint's score (the heatmap logit, maskrcnn-benchmark's
/// <c>logits</c>) in the extra <c>keypoint_scores</c>; its categories then name the keypoints and the skeleton, as
/// COCO's person category does.
/// <c>file_name</c> is the input's path relative to the folder it was found in (its name when given directly),
/// <c>path</c> where it was read, <c>overlay</c>/<c>masks</c> its outputs relative to the output folder; ids count
/// from 1 in input order. <c>area</c> is the mask's pixel count, or w·h without masks, as pycocotools' <c>loadRes</c>
/// computes it. Unreadable inputs have no entry.
/// </summary>
public static class PredictionsFile
{
    /// <param name="keypoints">Whether the model predicts keypoints: its categories get COCO's keypoint names and skeleton.</param>
    public static void Write(string path, IReadOnlyList<PredictedImage> images, DetectionCategories categories, bool keypoints = false)
    {
        AtomicFile.Write(path, stream =>
        {
            using var coco = new CocoWriter(stream);
            coco.StartInstances();
            coco.StartImages();
            foreach (var image in images)
                coco.Image(new CocoImage(image.Id, image.FileName, image.Width, image.Height),
                    ("path", image.Path), ("overlay", image.Outputs.Overlay), ("masks", image.Outputs.Masks));
            coco.EndList();
            coco.StartCategories();
            for (int label = 1; label < categories.NumClasses; label++)
                coco.Category(new CocoCategory(categories.CategoryOfLabel[label], categories.ClassNames[label], Supercategory: null),
                    keypoints ? PersonKeypoints.Names : null, keypoints ? PersonKeypoints.SkeletonOneBased : null);
            coco.EndList();
            coco.StartAnnotations();
            long id = 1;
            foreach (var image in images)
                foreach (var d in image.Detections)
                {
                    double area = d.Segmentation is { } rle ? rle.Area() : d.Bbox.Width * d.Bbox.Height;
                    var segmentation = d.Segmentation is { } mask ? CocoCompressedRle.Of(mask) : null;
                    var annotation = new CocoAnnotation(id++, d.ImageId, d.CategoryId, d.Bbox, area, IsCrowd: false, segmentation)
                    {
                        Keypoints = d.Keypoints,
                        NumKeypoints = d.Keypoints?.Where((_, j) => j % 3 == 2).Count(v => v > 0),
                    };
                    coco.Annotation(annotation, d.Score, d.KeypointScores);
                }
            coco.EndList();
            coco.EndInstances();
        });
    }
}
