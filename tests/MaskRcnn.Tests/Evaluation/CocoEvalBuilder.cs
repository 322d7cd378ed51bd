using MaskRcnn.Data.Coco;
using MaskRcnn.Evaluation;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;

namespace MaskRcnn.Tests.Evaluation;

/// <summary>Builds small ground truths and result sets in memory for hand-checked evaluations.</summary>
sealed class CocoEvalBuilder
{
    readonly List<CocoImage> images = [];
    readonly List<CocoCategory> categories = [];
    readonly List<CocoAnnotation> annotations = [];
    readonly List<CocoResult> results = [];
    long nextAnnotationId = 1;

    public CocoEvalBuilder Image(long id, int width = 200, int height = 200)
    {
        images.Add(new CocoImage(id, $"{id}.png", width, height));
        return this;
    }

    public CocoEvalBuilder Category(long id)
    {
        categories.Add(new CocoCategory(id, $"cat{id}", null));
        return this;
    }

    /// <summary>A ground-truth box; its area is the box's unless given.</summary>
    public CocoEvalBuilder Gt(long image, long category, double x, double y, double w, double h, bool crowd = false, double? area = null, long? id = null, CocoSegmentationData? mask = null)
    {
        annotations.Add(new CocoAnnotation(id ?? nextAnnotationId++, image, category, new CocoBox(x, y, w, h), area ?? w * h, crowd, mask));
        return this;
    }

    public CocoEvalBuilder Dt(long image, long category, double score, double x, double y, double w, double h, Rle? mask = null)
    {
        results.Add(new CocoResult(image, category, new CocoBox(x, y, w, h), score, mask));
        return this;
    }

    public CocoFile GroundTruth => new() { Path = "gt.json", Images = images, Categories = categories, Annotations = annotations };

    public CocoEvaluation Evaluate(IouType type = IouType.Bbox, bool areaFromBox = true, IReadOnlyList<long>? imageIds = null) =>
        CocoEvaluator.Evaluate(GroundTruth, CocoResultSet.InMemory(results, areaFromBox), type, new CocoEvalParams { ImageIds = imageIds });
}
