namespace MaskRcnn.Pickle;

/// <summary>A Python tuple: compared by its items, so that it can be a dictionary key as in Python.</summary>
public sealed class PyTuple(IReadOnlyList<object?> items) : IEquatable<PyTuple>
{
    public static readonly PyTuple Empty = new([]);

    public IReadOnlyList<object?> Items { get; } = items;

    /// <summary>How deeply tuples nest in this one (1: no tuple inside): equality and hashing recurse that deep.</summary>
    public int Depth { get; } = 1 + items.Select(i => i is PyTuple t ? t.Depth : 0).DefaultIfEmpty(0).Max();
    public int Count => Items.Count;
    public object? this[int index] => Items[index];

    public bool Equals(PyTuple? other) =>
        other is not null && other.Count == Count && Items.Zip(other.Items).All(p => Equals(p.First, p.Second));

    public override bool Equals(object? obj) => Equals(obj as PyTuple);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in Items) hash.Add(item);
        return hash.ToHashCode();
    }

    public override string ToString() => $"({string.Join(", ", Items)})";
}
