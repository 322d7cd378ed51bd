using MaskRcnn.Config;
using MaskRcnn.Data.Coco;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Keypoints;
using MaskRcnn.Structures.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Data;

/// <summary>
/// A COCO-format dataset as maskrcnn-benchmark's COCODataset reads it: images in id order; for training, images
/// with no usable annotation dropped; category ids mapped to contiguous labels 1..K in sorted id order (and back
/// for results); crowd annotations left out of targets; boxes clipped to the image and degenerate ones
/// (width or height under one pixel) removed; masks as polygons, or as bitmaps when any instance is RLE.
/// With <c>crowdTargets</c> (YOLACT, whose matcher makes anchors inside crowd regions neutral), crowd annotations stay in
/// the targets, flagged by a <see cref="BoxFields.IsCrowd"/> field that every target then has.
/// Keypoints (COCO's <c>person_keypoints_*.json</c>) become a <see cref="BoxFields.Keypoints"/> field when the image's
/// first annotation has them, and then, as in maskrcnn-benchmark, a training image needs at least
/// <see cref="MinKeypointsPerImage"/> labelled keypoints.
/// </summary>
public sealed class CocoDetectionDataset : IDetectionDataset
{
    readonly long[] imageIds;
    readonly Dictionary<long, int> labelOfCategory;
    readonly bool crowdTargets;

    public CocoDetectionDataset(CocoFile coco, string imageDir, bool forTraining, string? name = null, bool crowdTargets = false)
    {
        this.crowdTargets = crowdTargets;
        Coco = coco;
        ImageDir = imageDir;
        Name = name ?? Path.GetFileNameWithoutExtension(coco.Path);
        var sortedCategories = coco.Categories.OrderBy(c => c.Id).ToList();
        labelOfCategory = sortedCategories.Select((c, i) => (c.Id, Label: i + 1)).ToDictionary(p => p.Id, p => p.Label);
        CategoryOfLabel = [0, .. sortedCategories.Select(c => c.Id)];
        ClassNames = ["__background", .. sortedCategories.Select(c => c.Name)];
        var ids = coco.Images.Select(i => i.Id).Order();
        imageIds = (forTraining ? ids.Where(id => HasUsableAnnotation(coco.AnnotationsOf(id))) : ids).ToArray();
    }

    /// <summary>Whether training targets carry crowd boxes: only YOLACT uses them, and only while its crowd rule is on
    /// (<c>MODEL.YOLACT.CROWD_IOU_THRESHOLD</c> &lt; 1); Mask R-CNN's targets leave them out, as maskrcnn-benchmark.</summary>
    public static bool CrowdTargetsFor(ModelConfig model) => model.IsYolact && model.Yolact.CrowdIouThreshold < 1;

    public static CocoDetectionDataset Open(DatasetEntry entry, bool forTraining, bool crowdTargets = false)
    {
        if (entry.IsGenerated) Shapes.ShapesDatasetWriter.EnsureGenerated(entry, Console.Error);
        if (!File.Exists(entry.AnnotationFile))
            throw new DataException($"dataset {entry.Name}: annotation file not found: {entry.AnnotationFile} (images expected in {entry.ImageDir}; " +
                                    $"set {DatasetCatalog.DataDirVariable} or PATHS_CATALOG to point elsewhere)");
        return new CocoDetectionDataset(CocoFile.Load(entry.AnnotationFile), entry.ImageDir, forTraining, entry.Name, crowdTargets);
    }

    public string Name { get; }
    public CocoFile Coco { get; }
    public string ImageDir { get; }
    public int Count => imageIds.Length;
    public int NumClasses => CategoryOfLabel.Count; // including background

    /// <summary>COCO category id of each contiguous label (index 0 is background).</summary>
    public IReadOnlyList<long> CategoryOfLabel { get; }

    /// <summary>Class names by contiguous label (index 0 is background).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    public long ImageIdAt(int index) => imageIds[index];
    public CocoImage ImageAt(int index) => Coco.ImagesById[imageIds[index]];
    public int LabelOf(long categoryId) => labelOfCategory[categoryId];

    /// <summary>maskrcnn-benchmark's <c>min_keypoints_per_image</c>.</summary>
    public const int MinKeypointsPerImage = 10;

    /// <summary>As maskrcnn-benchmark: some annotation (crowd or not) whose box is more than one pixel in both sides, and
    /// when the first annotation has keypoints, at least <see cref="MinKeypointsPerImage"/> labelled (v &gt; 0) keypoints
    /// over all of them.</summary>
    static bool HasUsableAnnotation(IReadOnlyList<CocoAnnotation> annotations)
    {
        if (!annotations.Any(a => a.Bbox.Width > 1 && a.Bbox.Height > 1)) return false;
        if (annotations[0].Keypoints is null) return true;
        int labelled = 0;
        foreach (var a in annotations)
            for (int i = 2; i < (a.Keypoints?.Length ?? 0); i += 3)
                if (a.Keypoints![i] > 0) labelled++;
        return labelled >= MinKeypointsPerImage;
    }

    /// <summary>Decodes the image and builds its target; a missing, corrupt or too large image (over
    /// <paramref name="maxImagePixels"/>) is an <see cref="ImageDecodeException"/>.</summary>
    public DetectionSample Load(int index, int maxImagePixels) => new(index, ImageIdAt(index), LoadImage(index, maxImagePixels), Target(ImageAt(index)));

    /// <summary>Decodes the image alone ([3,H,W] uint8 RGB), checked against the size the annotation file gives it, since
    /// targets and results are in that size; a missing, corrupt or too large image (over <paramref name="maxImagePixels"/>,
    /// <c>INPUT.MAX_IMAGE_PIXELS</c>) is an <see cref="ImageDecodeException"/>.</summary>
    public Tensor LoadImage(int index, int maxImagePixels)
    {
        var info = ImageAt(index);
        var path = Path.Combine(ImageDir, info.FileName);
        var image = ImageDecoder.Decode(path, maxImagePixels);
        if (image.shape[1] != info.Height || image.shape[2] != info.Width)
        {
            var message = $"{path}: image {info.Id} is {image.shape[2]}x{image.shape[1]} but {Coco.Path} says {info.Width}x{info.Height}";
            image.Dispose();
            throw new DataException(message);
        }
        return image;
    }

    /// <summary>The training target of an image, from its annotations alone.</summary>
    public BoxList Target(CocoImage info)
    {
        var annotations = Coco.AnnotationsOf(info.Id).Where(a => crowdTargets || !a.IsCrowd).ToList();
        var size = new ImageSize(info.Height, info.Width);
        var xywh = annotations.SelectMany(a => new[] { (float)a.Bbox.X, (float)a.Bbox.Y, (float)a.Bbox.Width, (float)a.Bbox.Height }).ToArray();
        var target = BoxList.FromXywh(torch.tensor(xywh, [annotations.Count, 4]), size)
            .With(Structures.BoxFields.Labels, torch.tensor(annotations.Select(a => (long)labelOfCategory[a.CategoryId]).ToArray(), ScalarType.Int64));
        if (annotations.Count > 0 && annotations.All(a => a.Segmentation is not null))
            target = target.With(Structures.BoxFields.Masks, Masks(annotations, info));
        if (annotations.Count > 0 && annotations[0].Keypoints is not null)
            target = target.With(Structures.BoxFields.Keypoints, Keypoints(annotations, size));
        if (crowdTargets)
            target = target.With(Structures.BoxFields.IsCrowd, torch.tensor(annotations.Select(a => a.IsCrowd).ToArray()));
        target = target.Clip();
        var b = target.Boxes;
        return target.Select((b[.., 2] - b[.., 0] >= 1).logical_and(b[.., 3] - b[.., 1] >= 1));
    }

    /// <summary>The person keypoints of every annotation; one without 17 of them is named.</summary>
    PersonKeypoints Keypoints(IReadOnlyList<CocoAnnotation> annotations, ImageSize size)
    {
        foreach (var a in annotations)
            if (a.Keypoints?.Length != 3 * PersonKeypoints.Names.Count)
                throw new DataException($"{Coco.Path}: annotation {a.Id}: " + (a.Keypoints is null ? "has no 'keypoints'" : $"has {a.Keypoints.Length / 3} keypoints") +
                                        $" where the image's first annotation has them; targets need COCO's {PersonKeypoints.Names.Count} person keypoints on every one");
        return PersonKeypoints.FromCoco(annotations.Select(a => a.Keypoints!).ToList(), size);
    }

    static IInstanceMasks Masks(IReadOnlyList<CocoAnnotation> annotations, CocoImage info)
    {
        if (annotations.All(a => a.Segmentation is CocoPolygons))
            return new PolygonMasks(annotations.Select(a => ((CocoPolygons)a.Segmentation!).Polygons).ToList(), info.Height, info.Width);
        return BitMasks.FromRles(annotations.Select(a => a.Segmentation!.ToRle(info.Height, info.Width)).ToList(), info.Height, info.Width);
    }
}
