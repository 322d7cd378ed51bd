using MaskRcnn.Pickle;

namespace MaskRcnn.WeightFiles;

/// <summary>
/// torch.save's persistent ids: <c>('storage', FloatStorage, key, location, numel)</c> in zip files, with a sixth
/// item in legacy files (<c>(view_key, offset, size)</c> when the storage is a view of a larger one). Each key keeps
/// the type and size it was first seen with; a file that contradicts itself is refused.
/// </summary>
sealed class TorchStorageIds(string path)
{
    readonly Dictionary<string, TorchStorage> roots = new(StringComparer.Ordinal);

    /// <summary>The storages seen, by key.</summary>
    public IReadOnlyDictionary<string, TorchStorage> Roots => roots;

    public object Load(object? id)
    {
        if (id is not PyTuple { Count: 5 or 6 } t || t[0] is not "storage")
            throw Fail($"a persistent id is not a storage reference ({id}); only tensors are read");
        var (type, size) = WeightPickleClasses.StorageType(t[1]) ?? throw Fail($"storage of type {t[1]} is not one this tool reads");
        if (t[2] is not string key || t[4] is not long numel || numel < 0) throw Fail("malformed storage reference");
        var root = new TorchStorage(key, type, size, numel);
        if (roots.TryGetValue(key, out var seen))
        {
            if (seen.Type != type || seen.Numel != numel) throw Fail($"storage {key} is referenced with two different types or sizes");
        }
        else roots[key] = root;
        if (t.Count == 6 && t[5] is PyTuple { Count: 3 } view)
        {
            if (view[1] is not long offset || view[2] is not long viewSize || offset < 0 || viewSize < 0 || offset + viewSize > numel)
                throw Fail($"storage view of {key} lies outside it");
            return root with { Numel = viewSize, ElementOffset = offset };
        }
        return root;
    }

    PickleException Fail(string reason) => new(path, reason);
}
