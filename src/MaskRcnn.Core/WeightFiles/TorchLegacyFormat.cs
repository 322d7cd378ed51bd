using System.Buffers.Binary;
using System.Numerics;
using MaskRcnn.IO;
using MaskRcnn.Pickle;
using MaskRcnn.Tensors;
using Microsoft.Win32.SafeHandles;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.WeightFiles;

/// <summary>
/// torch.save's legacy format (before PyTorch 1.6, and <c>_use_new_zipfile_serialization=False</c>; most published
/// maskrcnn-benchmark and older torchvision weights): five pickles in a row — a magic number, the protocol version
/// 1001, system info, the object (storages as persistent ids), the sorted storage keys — then, for each key in that
/// order, the element count as int64 and the raw bytes.
/// </summary>
static class TorchLegacyFormat
{
    public const string Name = "PyTorch legacy";

    static readonly BigInteger Magic = BigInteger.Parse("119547037146038801333356");

    /// <summary>Whether a first pickle's value is the legacy format's magic number.</summary>
    public static bool IsMagic(object? value) => value is BigInteger b && b == Magic;

    /// <summary>Reads the rest of the file after the magic number, which <paramref name="stream"/> has just passed.</summary>
    public static IWeightFile Open(string path, FileStream stream)
    {
        var classes = new WeightPickleClasses(path);
        if (new PickleReader(stream, path, classes).Load() is not 1001L)
            throw new WeightFileFormatException(path, "legacy torch.save file of an unknown protocol version (expected 1001)");
        if (new PickleReader(stream, path, classes).Load() is PyDict info && info.GetOrNull("little_endian") is false)
            throw new WeightFileFormatException(path, "tensors are stored big-endian; only little-endian files are read");
        var ids = new TorchStorageIds(path);
        var root = new PickleReader(stream, path, classes, ids.Load).Load();
        if (new PickleReader(stream, path, classes).Load() is not List<object?> keys || keys.Any(k => k is not string))
            throw new WeightFileFormatException(path, "legacy torch.save file without its list of storage keys");

        var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
        long position = stream.Position;
        Span<byte> count = stackalloc byte[8];
        foreach (string key in keys.Cast<string>())
        {
            var storage = ids.Roots.GetValueOrDefault(key) ?? throw new WeightFileFormatException(path, $"storage {key} is listed but never used");
            if (RandomAccess.Read(stream.SafeFileHandle, count, position) != 8)
                throw new WeightFileFormatException(path, $"file ends before storage {key} (truncated?)");
            var numel = BinaryPrimitives.ReadInt64LittleEndian(count);
            if (numel != storage.Numel)
                throw new WeightFileFormatException(path, $"storage {key} holds {numel} elements, but the pickle says {storage.Numel}");
            offsets[key] = position + 8;
            position += 8 + numel * storage.ElementSize;
            if (position > stream.Length) throw new WeightFileFormatException(path, $"file ends inside storage {key} (truncated?)");
        }
        foreach (var key in ids.Roots.Keys)
            if (!offsets.ContainsKey(key)) throw new WeightFileFormatException(path, $"storage {key} is used but has no data");
        return new PickledWeightFile(path, Name, root, storage => ReadStorage(path, stream.SafeFileHandle, offsets[storage.Key], ids.Roots[storage.Key]), stream);
    }

    static unsafe Tensor ReadStorage(string path, SafeFileHandle handle, long offset, TorchStorage root)
    {
        var tensor = torch.empty(root.Numel, root.Type);
        try
        {
            if (!FileReads.TryReadExactly(handle, (byte*)tensor.RawAddress(), root.Numel * root.ElementSize, offset))
                throw new WeightFileFormatException(path, $"file ends inside storage {root.Key} (changed while reading?)");
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }
}
