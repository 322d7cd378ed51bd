using System.Collections;
using static TorchSharp.torch;

namespace MaskRcnn.SafeTensors;

/// <summary>
/// Named tensors in insertion order plus string metadata: the content of a weight file. Owns its tensors
/// (disposing it disposes them); <see cref="Release"/> hands them over to a new owner.
/// </summary>
public sealed class StateDict : IReadOnlyCollection<KeyValuePair<string, Tensor>>, IDisposable
{
    readonly List<KeyValuePair<string, Tensor>> entries = [];
    readonly Dictionary<string, Tensor> byName = new(StringComparer.Ordinal);

    public StateDict(IReadOnlyDictionary<string, string>? metadata = null) =>
        Metadata = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal);

    /// <summary>The safetensors <c>__metadata__</c> (string to string).</summary>
    public Dictionary<string, string> Metadata { get; }

    public int Count => entries.Count;
    public IEnumerable<string> Names => entries.Select(e => e.Key);
    public Tensor this[string name] => byName.TryGetValue(name, out var t) ? t : throw new KeyNotFoundException($"no tensor named '{name}'");
    public bool Contains(string name) => byName.ContainsKey(name);
    public bool TryGet(string name, out Tensor tensor) => byName.TryGetValue(name, out tensor!);

    public void Add(string name, Tensor tensor)
    {
        if (!byName.TryAdd(name, tensor)) throw new ArgumentException($"duplicate tensor name '{name}'");
        entries.Add(new(name, tensor));
    }

    /// <summary>Empties this dictionary without disposing the tensors, which now belong to the caller.</summary>
    public List<KeyValuePair<string, Tensor>> Release()
    {
        var released = entries.ToList();
        entries.Clear();
        byName.Clear();
        return released;
    }

    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => entries.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        foreach (var (_, tensor) in entries) tensor.Dispose();
        entries.Clear();
        byName.Clear();
    }
}
