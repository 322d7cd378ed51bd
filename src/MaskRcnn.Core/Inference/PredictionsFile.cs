using System.Text.Json;
using MaskRcnn.Data.Coco;

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
            using var json = new Utf8JsonWriter(stream);
            json.WriteStartObject();
            json.WriteStartArray("images");
            foreach (var image in images)
            {
                json.WriteStartObject();
                json.WriteNumber("id", image.Id);
                json.WriteString("file_name", image.FileName);
                json.WriteNumber("width", image.Width);
                json.WriteNumber("height", image.Height);
                json.WriteString("path", image.Path);
                json.WriteString("overlay", image.Outputs.Overlay);
                if (image.Outputs.Masks is { } masks) json.WriteString("masks", masks);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("categories");
            for (int label = 1; label < categories.NumClasses; label++)
            {
                json.WriteStartObject();
                json.WriteNumber("id", categories.CategoryOfLabel[label]);
                json.WriteString("name", categories.ClassNames[label]);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteStartArray("annotations");
            long id = 1;
            foreach (var image in images)
                foreach (var d in image.Detections)
                {
                    json.WriteStartObject();
                    json.WriteNumber("id", id++);
                    json.WriteNumber("image_id", d.ImageId);
                    json.WriteNumber("category_id", d.CategoryId);
                    CocoJson.WriteBbox(json, d.Bbox);
                    json.WriteNumber("area", d.Segmentation is { } rle ? rle.Area() : d.Bbox.Width * d.Bbox.Height);
                    json.WriteNumber("iscrowd", 0);
                    json.WriteNumber("score", d.Score);
                    if (d.Segmentation is { } mask) CocoJson.WriteRle(json, mask);
                    json.WriteEndObject();
                }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }
}
