using System.Text.Json;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;

namespace MaskRcnn.Data.Coco;

/// <summary>A problem in a dataset: the message names the file and the image or annotation id.</summary>
public sealed class DataException(string message) : Exception(message);

/// <summary>
/// A COCO instances file (images, categories, annotations), read and checked once. Every structural problem —
/// JSON that is not COCO, a field of the wrong kind or out of range, an annotation on an unknown image or category, a
/// bad polygon or one far outside its image, RLE counts that do not sum to h×w, a box outside its image — is a
/// <see cref="DataException"/> naming the file, the id and the field. Annotations without a mask are valid (boxes
/// only); what needs masks asks <see cref="RequireSegmentations"/>. Keypoints (<c>keypoints</c>, <c>num_keypoints</c>) are read when present.
/// </summary>
public sealed class CocoFile
{
    public required string Path { get; init; }
    public required IReadOnlyList<CocoImage> Images { get; init; }
    public required IReadOnlyList<CocoCategory> Categories { get; init; }
    public required IReadOnlyList<CocoAnnotation> Annotations { get; init; }

    IReadOnlyDictionary<long, IReadOnlyList<CocoAnnotation>>? byImage;
    IReadOnlyDictionary<long, CocoImage>? imagesById;

    public IReadOnlyDictionary<long, CocoImage> ImagesById => imagesById ??= Images.ToDictionary(i => i.Id);

    /// <summary>The annotations of each image, in file order; images without annotations map to an empty list.</summary>
    public IReadOnlyList<CocoAnnotation> AnnotationsOf(long imageId)
    {
        byImage ??= Annotations.GroupBy(a => a.ImageId).ToDictionary(g => g.Key, g => (IReadOnlyList<CocoAnnotation>)g.ToList());
        return byImage.TryGetValue(imageId, out var list) ? list : [];
    }

    /// <summary>
    /// Refuses the file when some annotation has no mask ("segmentation" missing, null or an empty list), naming the first
    /// and counting the others: Mask R-CNN's training targets and segm evaluation both need every annotation's mask, and
    /// leaving some out would silently change what is trained and scored. <paramref name="need"/> says what needs them
    /// and what to do instead.
    /// </summary>
    public void RequireSegmentations(string need)
    {
        var missing = Annotations.Where(a => a.Segmentation is null).ToList();
        if (missing.Count == 0) return;
        string others = missing.Count > 1 ? $" (and {missing.Count - 1} more)" : "";
        throw new DataException($"{Path}: annotation {missing[0].Id}{others} has no segmentation (missing, null or empty); {need}");
    }

    /// <summary>Refuses, naming the first, annotations without <c>num_keypoints</c> or without <paramref name="count"/>
    /// keypoints: keypoints evaluation reads both on every annotation. <paramref name="need"/> says who needs them.</summary>
    public void RequireKeypoints(int count, string need)
    {
        var missing = Annotations.Where(a => a.NumKeypoints is null || a.Keypoints?.Length != 3 * count).ToList();
        if (missing.Count == 0) return;
        string others = missing.Count > 1 ? $" (and {missing.Count - 1} more)" : "";
        throw new DataException($"{Path}: annotation {missing[0].Id}{others} has no 'num_keypoints' or not {count} 'keypoints'; {need}");
    }

    public static CocoFile Load(string path)
    {
        using var doc = CocoJson.Load(path, "annotation file");
        return Parse(doc.RootElement, path);
    }

    public static CocoFile Parse(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new DataException($"{path}: not a COCO file: the top level must be an object");
        var reader = new Reader(path);
        var images = reader.Array(root, "images", "top level").Select((e, i) => reader.Image(e, i)).ToList();
        var categories = ParseCategories(root, path);
        var imageById = new Dictionary<long, CocoImage>();
        foreach (var image in images)
            if (!imageById.TryAdd(image.Id, image)) throw new DataException($"{path}: image id {image.Id} appears twice");
        var categoryIds = categories.Select(c => c.Id).ToHashSet();
        var annotations = reader.Array(root, "annotations", "top level").Select((a, i) => reader.Annotation(a, i, imageById, categoryIds)).ToList();
        return new CocoFile { Path = path, Images = images, Categories = categories, Annotations = annotations };
    }

    /// <summary>Just the <c>categories</c> of a COCO file (any other list may be absent), checked as <see cref="Parse"/> checks them.</summary>
    public static IReadOnlyList<CocoCategory> ParseCategories(JsonElement root, string path)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new DataException($"{path}: not a COCO file: the top level must be an object");
        var reader = new Reader(path);
        var categories = reader.Array(root, "categories", "top level").Select((e, i) => reader.Category(e, i)).ToList();
        var ids = new HashSet<long>();
        foreach (var c in categories)
            if (!ids.Add(c.Id)) throw new DataException($"{path}: category id {c.Id} appears twice");
        return categories;
    }

    /// <summary>Reads JSON elements into records with messages that say where the problem is.</summary>
    sealed class Reader(string path)
    {
        public IEnumerable<JsonElement> Array(JsonElement parent, string name, string where)
        {
            if (!parent.TryGetProperty(name, out var value))
                throw new DataException($"{path}: not a COCO file: {where} has no '{name}'");
            if (value.ValueKind != JsonValueKind.Array) throw new DataException($"{path}: '{name}' must be a list");
            return value.EnumerateArray();
        }

        public CocoImage Image(JsonElement e, int index)
        {
            var id = OwnId(e, "images", index);
            var where = $"image {id}";
            var image = new CocoImage(id, String(e, "file_name", where), Int(e, "width", where), Int(e, "height", where));
            if (image.Width <= 0 || image.Height <= 0) throw new DataException($"{path}: {where}: size {image.Width}x{image.Height} is not positive");
            return image;
        }

        public CocoCategory Category(JsonElement e, int index)
        {
            var id = OwnId(e, "categories", index);
            return new CocoCategory(id, String(e, "name", $"category {id}"),
                e.TryGetProperty("supercategory", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null);
        }

        public CocoAnnotation Annotation(JsonElement e, int index, IReadOnlyDictionary<long, CocoImage> images, HashSet<long> categories)
        {
            var id = OwnId(e, "annotations", index);
            var where = $"annotation {id}";
            var imageId = Id(e, "image_id", where);
            if (!images.TryGetValue(imageId, out var image)) throw new DataException($"{path}: {where}: unknown image id {imageId}");
            var categoryId = Id(e, "category_id", where);
            if (!categories.Contains(categoryId)) throw new DataException($"{path}: {where}: unknown category id {categoryId}");
            var box = Numbers(e, "bbox", where);
            if (box.Length != 4) throw new DataException($"{path}: {where}: bbox must be 4 numbers [x, y, width, height], got {box.Length}");
            var bbox = new CocoBox(box[0], box[1], box[2], box[3]);
            if (bbox.Width < 0 || bbox.Height < 0) throw new DataException($"{path}: {where}: bbox has negative size {bbox.Width}x{bbox.Height}");
            // COCO boxes come from polygons inside the image; allow one pixel of rounding.
            if (bbox.X < -1 || bbox.Y < -1 || bbox.X + bbox.Width > image.Width + 1 || bbox.Y + bbox.Height > image.Height + 1)
                throw new DataException($"{path}: {where}: bbox [{bbox.X}, {bbox.Y}, {bbox.Width}, {bbox.Height}] lies outside image {image.Id} ({image.Width}x{image.Height})");
            bool crowd = IsCrowd(e, where);
            double area = Area(e, where) ?? bbox.Width * bbox.Height;
            var segmentation = e.TryGetProperty("segmentation", out var s) ? Segmentation(s, image, where) : null;
            return new CocoAnnotation(id, imageId, categoryId, bbox, area, crowd, segmentation)
            {
                Keypoints = e.TryGetProperty("keypoints", out var k) && k.ValueKind != JsonValueKind.Null ? Keypoints(e, where) : null,
                NumKeypoints = e.TryGetProperty("num_keypoints", out var n) && n.ValueKind != JsonValueKind.Null ? NumKeypoints(n, where) : null,
            };
        }

        /// <summary>x, y, v triples: finite numbers, a multiple of 3 of them.</summary>
        double[] Keypoints(JsonElement e, string where)
        {
            var values = Numbers(e, "keypoints", where);
            return values.Length % 3 == 0 ? values
                : throw new DataException($"{path}: {where}: 'keypoints' must be x, y, v triples, got {values.Length} numbers");
        }

        int NumKeypoints(JsonElement v, string where) =>
            v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n >= 0 ? n
                : throw new DataException($"{path}: {where}: 'num_keypoints' must be an integer >= 0, got {CocoSegmentationJson.Shown(v)}");

        /// <summary>0 or 1 (pycocotools also takes JSON's false/true); absent or null means 0.</summary>
        bool IsCrowd(JsonElement e, string where)
        {
            if (!e.TryGetProperty("iscrowd", out var v) || v.ValueKind == JsonValueKind.Null) return false;
            return v.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Number when v.TryGetDouble(out var d) && d is 0 or 1 => d == 1,
                _ => throw new DataException($"{path}: {where}: 'iscrowd' must be 0 or 1, got {CocoSegmentationJson.Shown(v)}"),
            };
        }

        /// <summary>A finite number >= 0; absent or null means the box's area.</summary>
        double? Area(JsonElement e, string where)
        {
            if (!e.TryGetProperty("area", out var v) || v.ValueKind == JsonValueKind.Null) return null;
            return v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var area) && double.IsFinite(area) && area >= 0 ? area
                : throw new DataException($"{path}: {where}: 'area' must be a finite number >= 0, got {CocoSegmentationJson.Shown(v)}");
        }

        CocoSegmentationData? Segmentation(JsonElement s, CocoImage image, string where)
        {
            switch (s.ValueKind)
            {
                case JsonValueKind.Null:
                    return null;
                case JsonValueKind.Array:
                    var polygons = CocoSegmentationJson.Polygons(s, image, path, where);
                    for (int i = 0; i < polygons.Count; i++)
                        if (polygons[i].Length < 6 || polygons[i].Length % 2 != 0)
                            throw new DataException($"{path}: {where}: polygon {i} has {polygons[i].Length} coordinates; a polygon needs an even number, at least 6");
                    return polygons.Count == 0 ? null : new CocoPolygons(polygons);
                case JsonValueKind.Object:
                    var rle = CocoSegmentationJson.Rle(s, image, path, where);
                    try { rle.ToRle(image.Height, image.Width); } // checks that the counts cover exactly h×w pixels
                    catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
                    {
                        throw new DataException($"{path}: {where}: bad RLE: {e.Message}");
                    }
                    return rle;
                default:
                    throw new DataException($"{path}: {where}: segmentation must be a list of polygons or an RLE object");
            }
        }

        /// <summary>An entry's own id; without one, the entry is named by its place in its list.</summary>
        long OwnId(JsonElement e, string list, int index)
        {
            if (e.ValueKind != JsonValueKind.Object) throw new DataException($"{path}: {list}[{index}] must be an object, got {CocoSegmentationJson.Shown(e)}");
            if (!e.TryGetProperty("id", out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var id))
                throw new DataException($"{path}: {list}[{index}]: 'id' must be an integer{Got(e, "id")}");
            return id;
        }

        long Id(JsonElement e, string name, string where) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var id) ? id
                : throw new DataException($"{path}: {where}: '{name}' must be an integer{Got(e, name)}");

        string String(JsonElement e, string name, string where) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()!
                : throw new DataException($"{path}: {where}: '{name}' must be a string{Got(e, name)}");

        int Int(JsonElement e, string name, string where) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i
                : throw new DataException($"{path}: {where}: '{name}' must be an integer{Got(e, name)}");

        /// <summary>", got VALUE" (or " (missing)") for a message about field <paramref name="name"/>.</summary>
        static string Got(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) ? $", got {CocoSegmentationJson.Shown(v)}" : " (missing)";

        double[] Numbers(JsonElement e, string name, string where) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
                && v.EnumerateArray().All(x => x.ValueKind == JsonValueKind.Number && x.TryGetDouble(out var d) && double.IsFinite(d))
                ? v.EnumerateArray().Select(x => x.GetDouble()).ToArray()
                : throw new DataException($"{path}: {where}: '{name}' must be a list of finite numbers{Got(e, name)}");
    }
}
