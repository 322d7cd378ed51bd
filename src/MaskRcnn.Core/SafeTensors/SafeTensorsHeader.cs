using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Unicode;

namespace MaskRcnn.SafeTensors;

/// <summary>
/// The parsed and checked header of a safetensors file: every tensor's dtype, shape and byte range, and the
/// metadata. Checks what the reference reader checks (length, UTF-8, JSON, dtype × shape = byte count,
/// ranges that tile the data section exactly) and a little more (duplicate names, unknown fields, BOOL bytes
/// are checked on reading).
/// </summary>
public sealed class SafeTensorsHeader
{
    /// <summary>The reference implementation's limit; a larger header is surely not a weight file.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    public const string MetadataKey = "__metadata__";

    SafeTensorsHeader(IReadOnlyList<SafeTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata, long dataStart, long dataLength)
    {
        Tensors = tensors;
        Metadata = metadata;
        DataStart = dataStart;
        DataLength = dataLength;
        ByName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Tensors in header order.</summary>
    public IReadOnlyList<SafeTensorInfo> Tensors { get; }
    public IReadOnlyDictionary<string, SafeTensorInfo> ByName { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>File offset of the data section (8 + header length).</summary>
    public long DataStart { get; }

    /// <summary>Length of the data section in bytes.</summary>
    public long DataLength { get; }

    /// <summary>Reads and checks the header of an open file of <paramref name="fileLength"/> bytes.</summary>
    public static SafeTensorsHeader Read(string path, Stream stream, long fileLength)
    {
        if (fileLength < 8) throw new SafeTensorsException(path, $"file is {fileLength} bytes, too short for the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(lengthBytes);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
            throw new SafeTensorsException(path, $"header length {headerLength} is over the {MaxHeaderBytes}-byte limit (not a safetensors file?)");
        if ((long)headerLength > fileLength - 8)
            throw new SafeTensorsException(path, $"header length {headerLength} runs past the end of the file ({fileLength} bytes)");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        return Parse(path, header, dataLength: fileLength - 8 - (long)headerLength);
    }

    /// <summary>Parses header bytes (the JSON) given the length of the data section that follows them.</summary>
    public static SafeTensorsHeader Parse(string path, ReadOnlySpan<byte> header, long dataLength)
    {
        if (!Utf8.IsValid(header)) throw new SafeTensorsException(path, "header is not valid UTF-8");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header.ToArray());
        }
        catch (JsonException e)
        {
            throw new SafeTensorsException(path, $"header is not valid JSON ({e.Message.ReplaceLineEndings(" ")})");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new SafeTensorsException(path, $"header is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, expected an object");
            var tensors = new List<SafeTensorInfo>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in root.EnumerateObject())
            {
                if (!seen.Add(entry.Name))
                    throw new SafeTensorsException(path, entry.Name == MetadataKey ? $"{MetadataKey} appears twice" : $"tensor '{entry.Name}' appears twice in the header");
                if (entry.Name == MetadataKey) ParseMetadata(path, entry.Value, metadata);
                else tensors.Add(ParseTensor(path, entry.Name, entry.Value));
            }
            CheckRanges(path, tensors, dataLength);
            return new SafeTensorsHeader(tensors, metadata, 8L + header.Length, dataLength);
        }
    }

    static void ParseMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind == JsonValueKind.Null) return;
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafeTensorsException(path, $"{MetadataKey} must be an object of strings, got a {value.ValueKind.ToString().ToLowerInvariant()}");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw new SafeTensorsException(path, $"{MetadataKey} value of '{item.Name}' must be a string, got a {item.Value.ValueKind.ToString().ToLowerInvariant()}");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw new SafeTensorsException(path, $"{MetadataKey} key '{item.Name}' appears twice");
        }
    }

    static SafeTensorInfo ParseTensor(string path, string name, JsonElement value)
    {
        SafeTensorsException Bad(string reason) => new(path, $"tensor '{name}': {reason}");
        if (value.ValueKind != JsonValueKind.Object) throw Bad($"entry must be an object, got a {value.ValueKind.ToString().ToLowerInvariant()}");
        JsonElement? dtypeElement = null, shapeElement = null, offsetsElement = null;
        foreach (var field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "dtype" when dtypeElement is null: dtypeElement = field.Value; break;
                case "shape" when shapeElement is null: shapeElement = field.Value; break;
                case "data_offsets" when offsetsElement is null: offsetsElement = field.Value; break;
                case "dtype" or "shape" or "data_offsets": throw Bad($"field '{field.Name}' appears twice");
                default: throw Bad($"unknown field '{field.Name}' (expected dtype, shape, data_offsets)");
            }
        }
        if (dtypeElement is not { ValueKind: JsonValueKind.String } dtypeValue) throw Bad("missing or non-string 'dtype'");
        var dtype = dtypeValue.GetString()!;
        if (!SafeTensorsDtype.TryParse(dtype, out var type, out var elementSize)) throw Bad(SafeTensorsDtype.Unsupported(dtype));
        if (shapeElement is not { ValueKind: JsonValueKind.Array } shapeValue) throw Bad("missing or non-array 'shape'");
        var shape = shapeValue.EnumerateArray().Select(d => d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out var n) && n >= 0
            ? n : throw Bad($"shape {shapeValue.GetRawText()} must hold non-negative integers")).ToArray();
        if (offsetsElement is not { ValueKind: JsonValueKind.Array } offsetsValue || offsetsValue.GetArrayLength() != 2)
            throw Bad("missing 'data_offsets' or not a pair [begin, end]");
        var offsets = offsetsValue.EnumerateArray().Select(d => d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out var n) && n >= 0
            ? n : throw Bad($"data_offsets {offsetsValue.GetRawText()} must be non-negative integers")).ToArray();
        var (begin, end) = (offsets[0], offsets[1]);
        if (end < begin) throw Bad($"data_offsets [{begin}, {end}] end before they begin");
        long bytes;
        try
        {
            bytes = checked(shape.Aggregate(1L, (a, b) => a * b) * elementSize);
        }
        catch (OverflowException)
        {
            throw Bad($"shape {shapeValue.GetRawText()} overflows");
        }
        if (bytes != end - begin)
            throw Bad($"{dtype} {shapeValue.GetRawText()} needs {bytes} bytes but data_offsets [{begin}, {end}] hold {end - begin}");
        return new SafeTensorInfo(name, dtype, type, shape, begin, end);
    }

    /// <summary>The byte ranges must tile the data section: no overlap, no gap, nothing past the end, nothing after.</summary>
    static void CheckRanges(string path, List<SafeTensorInfo> tensors, long dataLength)
    {
        var ordered = tensors.OrderBy(t => t.Begin).ThenBy(t => t.End).ToList();
        long covered = 0;
        SafeTensorInfo? previous = null;
        foreach (var t in ordered)
        {
            if (t.End > dataLength)
                throw new SafeTensorsException(path, $"tensor '{t.Name}': data_offsets [{t.Begin}, {t.End}] run past the data section ({dataLength} bytes; file truncated?)");
            if (t.Begin < covered)
                throw new SafeTensorsException(path, $"tensor '{t.Name}': data_offsets [{t.Begin}, {t.End}] overlap tensor '{previous!.Name}' [{previous.Begin}, {previous.End}]");
            if (t.Begin > covered)
                throw new SafeTensorsException(path, $"tensor '{t.Name}': data_offsets [{t.Begin}, {t.End}] leave a gap after byte {covered}");
            covered = t.End;
            previous = t;
        }
        if (covered != dataLength)
            throw new SafeTensorsException(path, $"data section is {dataLength} bytes but the tensors cover {covered} (trailing bytes)");
    }
}
