using static TorchSharp.torch;

namespace MaskRcnn.SafeTensors;

/// <summary>The safetensors element types this tool reads and writes, and their TorchSharp counterparts.</summary>
public static class SafeTensorsDtype
{
    /// <summary>
    /// Supported dtypes in the reference implementation's writing order: descending alignment (its <c>Dtype</c>
    /// enum, highest first), so every tensor after an 8-byte aligned header is naturally aligned.
    /// </summary>
    static readonly (string Name, ScalarType Type, int Size)[] Supported =
    [
        ("I64", ScalarType.Int64, 8),
        ("F64", ScalarType.Float64, 8),
        ("F32", ScalarType.Float32, 4),
        ("I32", ScalarType.Int32, 4),
        ("BF16", ScalarType.BFloat16, 2),
        ("F16", ScalarType.Float16, 2),
        ("I16", ScalarType.Int16, 2),
        ("I8", ScalarType.Int8, 1),
        ("U8", ScalarType.Byte, 1),
        ("BOOL", ScalarType.Bool, 1),
    ];

    /// <summary>Valid safetensors dtypes that TorchSharp 0.107 has no tensor type for.</summary>
    static readonly HashSet<string> KnownUnsupported = ["U16", "U32", "U64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64"];

    public static IEnumerable<string> Names => Supported.Select(d => d.Name);

    public static bool TryParse(string name, out ScalarType type, out int elementSize)
    {
        foreach (var d in Supported)
            if (d.Name == name) { (type, elementSize) = (d.Type, d.Size); return true; }
        (type, elementSize) = (default, 0);
        return false;
    }

    /// <summary>Why <paramref name="name"/> cannot be read, for an error message.</summary>
    public static string Unsupported(string name) => KnownUnsupported.Contains(name)
        ? $"dtype {name} is not supported (no TorchSharp tensor type)"
        : $"unknown dtype '{name}' (expected one of {string.Join(", ", Names)})";

    public static bool IsSupported(ScalarType type) => Array.Exists(Supported, d => d.Type == type);

    public static string NameOf(ScalarType type) => Supported.FirstOrDefault(d => d.Type == type).Name
        ?? throw new NotSupportedException($"safetensors has no dtype for {type}");

    public static int SizeOf(ScalarType type) => Supported.FirstOrDefault(d => d.Type == type).Size is var s and > 0
        ? s : throw new NotSupportedException($"safetensors has no dtype for {type}");

    /// <summary>Position in the reference writing order (0 first).</summary>
    public static int WriteRank(ScalarType type) => Array.FindIndex(Supported, d => d.Type == type) is var i and >= 0
        ? i : throw new NotSupportedException($"safetensors has no dtype for {type}");
}
