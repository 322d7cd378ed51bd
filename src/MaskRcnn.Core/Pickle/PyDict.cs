namespace MaskRcnn.Pickle;

/// <summary>A Python dict (or OrderedDict): insertion order kept, keys compared as Python compares str, int and tuple keys.</summary>
public sealed class PyDict
{
    readonly List<object> keys = [];
    readonly Dictionary<object, object?> values = [];

    public int Count => keys.Count;
    public IEnumerable<object> Keys => keys;

    public IEnumerable<KeyValuePair<object, object?>> Items => keys.Select(k => new KeyValuePair<object, object?>(k, values[k]));

    /// <summary>Sets a key (a repeated key keeps its first position, as in Python). None as a key is refused by the reader.</summary>
    public void Set(object key, object? value)
    {
        if (!values.ContainsKey(key)) keys.Add(key);
        values[key] = value;
    }

    public bool TryGet(object key, out object? value) => values.TryGetValue(key, out value);

    public object? GetOrNull(object key) => values.GetValueOrDefault(key);
}
