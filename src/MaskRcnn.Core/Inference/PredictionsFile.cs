using MaskRcnn.Data.Coco;
using MaskRcnn.IO;

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
///                   "segmentation"?: {"size": [h, w], "counts": "compressed RLE"}}]}
/// </code>
/// <c>file_name</c> is the input's path relative to the folder it was found in (its name when given directly),
/// <c>path</c> where it was read, <c>overlay</c>/<c>masks</c> its outputs relative to the output folder; ids count
/// from 1 in input order. <c>area</c> is the mask's pixel count, or w·h without masks, as pycocotools' <c>loadRes</c>
/// computes it. Unreadable inputs have no entry.
/// </summary>
public static class PredictionsFile
{
    public static void Write(string path, IReadOnlyList<PredictedImage> images, DetectionCategories categories)
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
                coco.Category(new CocoCategory(categories.CategoryOfLabel[label], categories.ClassNames[label], Supercategory: null));
            coco.EndList();
            coco.StartAnnotations();
            long id = 1;
            foreach (var image in images)
                foreach (var d in image.Detections)
                {
                    double area = d.Segmentation is { } rle ? rle.Area() : d.Bbox.Width * d.Bbox.Height;
                    var segmentation = d.Segmentation is { } mask ? CocoCompressedRle.Of(mask) : null;
                    coco.Annotation(new CocoAnnotation(id++, d.ImageId, d.CategoryId, d.Bbox, area, IsCrowd: false, segmentation), d.Score);
                }
            coco.EndList();
            coco.EndInstances();
        });
    }
}
