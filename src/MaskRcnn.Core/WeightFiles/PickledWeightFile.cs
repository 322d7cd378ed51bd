using MaskRcnn.Pickle;
using MaskRcnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.WeightFiles;

/// <summary>
/// Weights found in an unpickled object: a state dict at the top, or under a checkpoint's <c>model</c> (maskrcnn-benchmark,
/// detectron2), <c>state_dict</c>, or Detectron's <c>blobs</c>. Values that are not tensors or arrays (a checkpoint's
/// iteration, a config string) are left out. Tensors are torch storage windows, read through
/// <paramref name="readStorage"/>, or numpy arrays already in memory.
/// </summary>
sealed class PickledWeightFile : IWeightFile
{
    /// <summary>Checkpoint keys that hold the model's weights, in the order they are tried.</summary>
    public static readonly string[] Containers = ["model", "state_dict", "blobs"];

    /// <summary>Metadata keys: the file's format, and the key the weights were under (empty: the top level).</summary>
    public const string FormatKey = "format", ContainerKey = "container";

    readonly Dictionary<string, object> stored = new(StringComparer.Ordinal);
    readonly Func<TorchStorage, Tensor>? readStorage;
    readonly Action<PickleByteRange, Span<byte>>? readRange;
    readonly IDisposable? owner;
    (string Key, Tensor Data)? cachedStorage;

    /// <param name="readRange">Reads array data left in the file (<see cref="PickleByteRange"/>) into a span.</param>
    public PickledWeightFile(string path, string format, object? root, Func<TorchStorage, Tensor>? readStorage, IDisposable? owner,
        Action<PickleByteRange, Span<byte>>? readRange = null)
    {
        Path = path;
        Format = format;
        this.readStorage = readStorage;
        this.readRange = readRange;
        this.owner = owner;
        var (dict, container) = Locate(path, root);
        var entries = new List<WeightEntry>();
        foreach (var (key, value) in dict.Items)
        {
            // A Python 2 key of 256+ bytes arrives as bytes (PickleReader): Latin-1, as Python 3 would read it.
            var name = key as string ?? (key is byte[] bytes ? System.Text.Encoding.Latin1.GetString(bytes) : null);
            if (name is null) continue;
            switch (value)
            {
                case TorchTensorRef t:
                    CheckWindow(name, t);
                    entries.Add(new WeightEntry(name, t.Shape, t.Storage.Type));
                    stored[name] = t;
                    break;
                case NumpyArray a:
                    entries.Add(new WeightEntry(name, a.Shape, a.Type));
                    stored[name] = a;
                    break;
            }
        }
        Entries = entries;
        Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [FormatKey] = format, [ContainerKey] = container };
    }

    public string Path { get; }
    public string Format { get; }
    public IReadOnlyList<WeightEntry> Entries { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public Tensor Read(string name) => stored.TryGetValue(name, out var value)
        ? value switch
        {
            TorchTensorRef t => ReadTorch(t),
            NumpyArray a => ReadNumpy(a),
            _ => throw new InvalidOperationException(),
        }
        : throw new WeightFileFormatException(Path, $"no tensor named '{name}'");

    static (PyDict Dict, string Container) Locate(string path, object? root)
    {
        if (root is not PyDict top)
            throw new WeightFileFormatException(path, $"holds a {Describe(root)}, not a dict of tensors (a state dict or a checkpoint with 'model')");
        foreach (var key in Containers)
            if (top.GetOrNull(key) is PyDict inner && HasTensors(inner)) return (inner, key);
        if (HasTensors(top)) return (top, "");
        var keys = top.Keys.Take(8).Select(k => k.ToString()).ToList();
        throw new WeightFileFormatException(path, $"holds no tensors at the top level or under {string.Join(", ", Containers.Select(c => $"'{c}'"))}; " +
                                                   $"its keys: {(keys.Count == 0 ? "none" : string.Join(", ", keys) + (top.Count > 8 ? ", ..." : ""))}");
    }

    static bool HasTensors(PyDict dict) => dict.Items.Any(i => i.Key is string or byte[] && i.Value is TorchTensorRef or NumpyArray);

    static string Describe(object? value) => value switch
    {
        null => "None",
        PyGlobal g => g.ToString(),
        List<object?> => "list",
        PyTuple => "tuple",
        TorchTensorRef => "single tensor",
        NumpyArray => "single numpy array",
        _ => value.GetType().Name,
    };

    /// <summary>A tensor may repeat its storage's elements (stride 0) but not past this many elements, or a few bytes of
    /// file could ask for any amount of memory.</summary>
    const long MaxExpandedElements = 1L << 28;

    // The window must lie inside its storage, or reading would run past it.
    void CheckWindow(string name, TorchTensorRef t)
    {
        try
        {
            var numel = t.Shape.Aggregate(1L, (a, b) => checked(a * b));
            if (numel == 0) return;
            var last = t.Offset + t.Shape.Zip(t.Stride).Sum(p => checked((p.First - 1) * p.Second));
            if (t.Offset < 0 || last >= t.Storage.Numel)
                throw new WeightFileFormatException(Path, $"tensor '{name}' [{string.Join(", ", t.Shape)}] reaches element {last} of a storage of {t.Storage.Numel}");
            if (numel > Math.Max(t.Storage.Numel, MaxExpandedElements))
                throw new WeightFileFormatException(Path, $"tensor '{name}' [{string.Join(", ", t.Shape)}] repeats a storage of {t.Storage.Numel} elements {numel} times over");
        }
        catch (OverflowException)
        {
            throw new WeightFileFormatException(Path, $"tensor '{name}' has a shape or strides too large to address");
        }
    }

    Tensor ReadTorch(TorchTensorRef t)
    {
        if (readStorage is null) throw new InvalidOperationException("torch tensors without a storage reader");
        // The usual case (one storage per tensor, contiguous): the storage read is the tensor, no second copy.
        if (IsWholeStorage(t))
            using (var whole = readStorage(t.Storage))
                return whole.view(t.Shape);
        if (cachedStorage is not { } cached || cached.Key != t.Storage.Key)
        {
            cachedStorage?.Data.Dispose();
            cachedStorage = null;
            cachedStorage = (t.Storage.Key, readStorage(t.Storage));
        }
        var storage = cachedStorage.Value.Data;
        var result = torch.empty(t.Shape, t.Storage.Type);
        if (result.numel() == 0) return result;
        using var window = storage.as_strided(t.Shape, t.Stride, t.Offset + t.Storage.ElementOffset);
        using (torch.no_grad()) result.copy_(window);
        return result;
    }

    static bool IsWholeStorage(TorchTensorRef t)
    {
        if (t.Offset != 0 || t.Storage.ElementOffset != 0) return false;
        long expected = 1;
        for (int d = t.Shape.Length - 1; d >= 0; d--)
        {
            if (t.Shape[d] != 1 && t.Stride[d] != expected) return false;
            expected *= t.Shape[d];
        }
        return expected == t.Storage.Numel && expected > 0;
    }

    unsafe Tensor ReadNumpy(NumpyArray a)
    {
        var dims = a.Fortran ? a.Shape.Reverse().ToArray() : a.Shape;
        var tensor = torch.empty(dims, a.Type);
        try
        {
            var address = (byte*)tensor.RawAddress();
            for (long done = 0; done < a.ByteLength;)
            {
                var span = new Span<byte>(address + done, (int)Math.Min(1 << 30, a.ByteLength - done));
                if (a.Bytes is { } bytes) bytes.AsSpan((int)done, span.Length).CopyTo(span);
                else (readRange ?? throw new InvalidOperationException("array data in the file without a reader"))(a.Range! with { Offset = a.Range.Offset + done }, span);
                done += span.Length;
            }
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
        if (!a.Fortran || a.Shape.Length < 2) return tensor;
        using (tensor)
        using (var reversed = tensor.permute(Enumerable.Range(0, dims.Length).Reverse().Select(i => (long)i).ToArray()))
            return reversed.contiguous();
    }

    public void Dispose()
    {
        cachedStorage?.Data.Dispose();
        cachedStorage = null;
        owner?.Dispose();
    }
}
