using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;
using MaskRcnn.IO;
using MaskRcnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.SafeTensors;

/// <summary>
/// Writes safetensors files laid out as the reference implementation lays them out: tensors ordered by
/// descending dtype alignment then by name, <c>__metadata__</c> first in a compact JSON header padded with
/// spaces to a multiple of 8 bytes. Files are written atomically. Tensors may live on any device; each is
/// copied to the CPU only while it is written.
/// </summary>
public static class SafeTensorsWriter
{
    const int WriteChunkBytes = 1 << 30;

    public static void Write(string path, StateDict tensors) => Write(path, tensors, tensors.Metadata);

    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian; this machine is not");
        var ordered = Layout(path, tensors);
        var header = HeaderBytes(ordered, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var entry in ordered) WriteData(stream, entry.Tensor);
        });
    }

    sealed record Entry(string Name, Tensor Tensor, string Dtype, long[] Shape, long Begin, long End);

    static List<Entry> Layout(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var items = new List<(string Name, Tensor Tensor)>();
        foreach (var (name, tensor) in tensors)
        {
            if (name == SafeTensorsHeader.MetadataKey) throw new SafeTensorsException(path, $"a tensor cannot be named {name}");
            if (!names.Add(name)) throw new SafeTensorsException(path, $"tensor '{name}' given twice");
            if (!SafeTensorsDtype.IsSupported(tensor.dtype)) throw new SafeTensorsException(path, $"tensor '{name}': safetensors has no dtype for {tensor.dtype}");
            items.Add((name, tensor));
        }
        var entries = new List<Entry>(items.Count);
        long offset = 0;
        foreach (var (name, tensor) in items.OrderBy(i => SafeTensorsDtype.WriteRank(i.Tensor.dtype)).ThenBy(i => i.Name, StringComparer.Ordinal))
        {
            var bytes = tensor.numel() * SafeTensorsDtype.SizeOf(tensor.dtype);
            entries.Add(new Entry(name, tensor, SafeTensorsDtype.NameOf(tensor.dtype), tensor.shape, offset, offset + bytes));
            offset += bytes;
        }
        return entries;
    }

    static byte[] HeaderBytes(List<Entry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping keeps names and metadata as written (no \u002B for '+'), as serde_json does.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(SafeTensorsHeader.MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal)) json.WriteString(key, value);
                json.WriteEndObject();
            }
            foreach (var e in entries)
            {
                json.WriteStartObject(e.Name);
                json.WriteString("dtype", e.Dtype);
                json.WriteStartArray("shape");
                foreach (var d in e.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(e.Begin);
                json.WriteNumberValue(e.End);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        var padding = (int)((8 - buffer.Length % 8) % 8);
        for (var i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    static unsafe void WriteData(Stream stream, Tensor tensor)
    {
        if (tensor.numel() == 0) return;
        using var scope = torch.NewDisposeScope();
        var cpu = tensor.detach().ToCpuContiguous(tensor.dtype);
        var address = (byte*)cpu.RawAddress();
        var length = cpu.numel() * SafeTensorsDtype.SizeOf(cpu.dtype);
        for (long done = 0; done < length; done += WriteChunkBytes)
            stream.Write(new ReadOnlySpan<byte>(address + done, (int)Math.Min(WriteChunkBytes, length - done)));
    }
}
