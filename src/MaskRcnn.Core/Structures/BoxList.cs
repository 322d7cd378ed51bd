using MaskRcnn.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Structures;

/// <summary>
/// The boxes of one image (maskrcnn-benchmark's BoxList, detectron2's Instances): an [N,4] xyxy tensor,
/// the image size they refer to, and named per-box fields — tensors whose first dimension is N (labels,
/// scores) or <see cref="IInstanceField"/>s (masks). Operations return new lists; tensors are shared, not copied.
/// </summary>
public sealed class BoxList
{
    readonly Dictionary<string, object> fields;

    public BoxList(Tensor boxes, ImageSize size) : this(boxes, size, new Dictionary<string, object>()) { }

    BoxList(Tensor boxes, ImageSize size, Dictionary<string, object> fields)
    {
        if (boxes.dim() != 2 || boxes.shape[1] != 4)
            throw new ArgumentException($"boxes must be [N,4], got [{string.Join(",", boxes.shape)}]");
        Boxes = boxes;
        Size = size;
        this.fields = fields;
    }

    /// <summary>[N,4] x1,y1,x2,y2 in pixels of <see cref="Size"/>.</summary>
    public Tensor Boxes { get; }
    public ImageSize Size { get; }
    public int Count => (int)Boxes.shape[0];
    public IEnumerable<string> FieldNames => fields.Keys;
    public bool Has(string name) => fields.ContainsKey(name);

    public static BoxList FromXywh(Tensor xywh, ImageSize size) => new(BoxOps.XywhToXyxy(xywh), size);
    public Tensor ToXywh() => BoxOps.XyxyToXywh(Boxes);

    /// <summary>A copy with the field set (replacing one of the same name).</summary>
    public BoxList With(string name, Tensor value) => WithField(name, value, value.shape.Length == 0 ? -1 : value.shape[0]);
    public BoxList With(string name, IInstanceField value) => WithField(name, value, value.Count);

    BoxList WithField(string name, object value, long count)
    {
        if (count != Count) throw new ArgumentException($"field '{name}' has {count} entries for {Count} boxes");
        return new BoxList(Boxes, Size, new Dictionary<string, object>(fields) { [name] = value });
    }

    public Tensor Field(string name) => fields.TryGetValue(name, out var v)
        ? v as Tensor ?? throw new InvalidOperationException($"box field '{name}' is a {v.GetType().Name}, not a tensor")
        : throw new KeyNotFoundException($"box list has no field '{name}' (has: {string.Join(", ", fields.Keys)})");

    public T Field<T>(string name) where T : IInstanceField => fields.TryGetValue(name, out var v)
        ? v is T t ? t : throw new InvalidOperationException($"box field '{name}' is a {v.GetType().Name}, not a {typeof(T).Name}")
        : throw new KeyNotFoundException($"box list has no field '{name}' (has: {string.Join(", ", fields.Keys)})");

    /// <summary>The boxes at <paramref name="index"/>: [K] int64 indices or an [N] boolean mask.</summary>
    public BoxList Select(Tensor index)
    {
        var indices = index.dtype == ScalarType.Bool ? torch.nonzero(index).flatten() : index;
        var selected = fields.ToDictionary(kv => kv.Key, kv => kv.Value switch
        {
            Tensor t => (object)t.index_select(0, indices.to(t.device)),
            IInstanceField f => f.Select(indices),
            var other => other,
        });
        return new BoxList(Boxes.index_select(0, indices.to(Boxes.device)), Size, selected);
    }

    /// <summary>Rescales boxes (and geometric fields) to an image resized to <paramref name="size"/>.</summary>
    public BoxList Resize(ImageSize size)
    {
        double rx = (double)size.Width / Size.Width, ry = (double)size.Height / Size.Height;
        var scale = torch.tensor(new[] { (float)rx, (float)ry, (float)rx, (float)ry }, device: Boxes.device).to(Boxes.dtype);
        return Transform(Boxes * scale, size, f => f.Resize(size));
    }

    /// <summary>Mirrors left-right: x ↦ W − x.</summary>
    public BoxList FlipHorizontal()
    {
        var flipped = torch.stack([Size.Width - Boxes[.., 2], Boxes[.., 1], Size.Width - Boxes[.., 0], Boxes[.., 3]], dim: 1);
        return Transform(flipped, Size, f => f.FlipHorizontal());
    }

    /// <summary>Mirrors top-bottom: y ↦ H − y.</summary>
    public BoxList FlipVertical()
    {
        var flipped = torch.stack([Boxes[.., 0], Size.Height - Boxes[.., 3], Boxes[.., 2], Size.Height - Boxes[.., 1]], dim: 1);
        return Transform(flipped, Size, f => f.FlipVertical());
    }

    /// <summary>Crops to the pixel box [x0, x1) × [y0, y1): boxes shift by (x0, y0) and are clamped to the crop.</summary>
    public BoxList Crop(int x0, int y0, int x1, int y1)
    {
        if (x1 <= x0 || y1 <= y0) throw new ArgumentException($"crop box ({x0}, {y0}, {x1}, {y1}) is empty");
        int w = x1 - x0, h = y1 - y0;
        var b = Boxes;
        var cropped = torch.stack([(b[.., 0] - x0).clamp(0, w), (b[.., 1] - y0).clamp(0, h), (b[.., 2] - x0).clamp(0, w), (b[.., 3] - y0).clamp(0, h)], dim: 1);
        return Transform(cropped, new ImageSize(h, w), f => f.Crop(x0, y0, x1, y1));
    }

    /// <summary>Clamps boxes to the image; with <paramref name="removeEmpty"/>, drops boxes left with no area.</summary>
    public BoxList Clip(bool removeEmpty = false)
    {
        var clipped = new BoxList(BoxOps.Clip(Boxes, Size.Height, Size.Width), Size, fields);
        if (!removeEmpty) return clipped;
        var b = clipped.Boxes;
        return clipped.Select((b[.., 2] > b[.., 0]).logical_and(b[.., 3] > b[.., 1]));
    }

    /// <summary>Keeps boxes at least <paramref name="minSize"/> wide and high.</summary>
    public BoxList RemoveSmall(double minSize) => Select(BoxOps.NonSmall(Boxes, minSize));

    public Tensor Area() => BoxOps.Area(Boxes);

    public BoxList To(Device device) => new(Boxes.to(device), Size,
        fields.ToDictionary(kv => kv.Key, kv => kv.Value is Tensor t ? t.to(device) : kv.Value));

    /// <summary>Concatenates lists of the same image (same size and field names), e.g. proposals and ground truth.</summary>
    public static BoxList Cat(IReadOnlyList<BoxList> lists)
    {
        if (lists.Count == 0) throw new ArgumentException("nothing to concatenate");
        var first = lists[0];
        foreach (var l in lists.Skip(1))
        {
            if (l.Size != first.Size) throw new ArgumentException($"cannot concatenate boxes of a {l.Size} image with a {first.Size} image");
            if (!l.fields.Keys.Order().SequenceEqual(first.fields.Keys.Order()))
                throw new ArgumentException($"cannot concatenate box lists with fields [{string.Join(", ", l.fields.Keys)}] and [{string.Join(", ", first.fields.Keys)}]");
        }
        var merged = new Dictionary<string, object>();
        foreach (var (name, value) in first.fields)
            merged[name] = value is Tensor
                ? torch.cat(lists.Select(l => l.Field(name)).ToArray(), 0)
                : throw new NotSupportedException($"concatenating '{name}' fields of type {value.GetType().Name}");
        return new BoxList(torch.cat(lists.Select(l => l.Boxes).ToArray(), 0), first.Size, merged);
    }

    BoxList Transform(Tensor boxes, ImageSize size, Func<IInstanceField, IInstanceField> geometric) =>
        new(boxes, size, fields.ToDictionary(kv => kv.Key, kv => kv.Value is IInstanceField f ? geometric(f) : kv.Value));

    /// <summary>Every tensor the list holds: boxes, tensor fields, and tensors inside fields.</summary>
    public IEnumerable<Tensor> Tensors()
    {
        yield return Boxes;
        foreach (var value in fields.Values)
        {
            if (value is Tensor t) yield return t;
            else if (value is ITensorHolder holder)
                foreach (var inner in holder.Tensors) yield return inner;
        }
    }

    /// <summary>Moves every tensor of the list to the enclosing dispose scope.</summary>
    public BoxList MoveToOuterDisposeScope()
    {
        foreach (var t in Tensors()) t.MoveToOuterDisposeScope();
        return this;
    }

    public override string ToString() => $"BoxList({Count} boxes, image {Size}, fields: {string.Join(", ", fields.Keys)})";
}
