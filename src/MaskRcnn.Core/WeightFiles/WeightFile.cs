using MaskRcnn.IO;
using MaskRcnn.Pickle;
using MaskRcnn.SafeTensors;

namespace MaskRcnn.WeightFiles;

/// <summary>
/// Opens a weight file by what its bytes are (a <c>.safetensors</c> name aside): safetensors; torch.save's zip or legacy format
/// (.pth/.pt/.pkl); or a plain pickle of numpy arrays (Detectron's and detectron2's .pkl). Pickles are read by a
/// restricted reader (<see cref="WeightPickleClasses"/>): nothing in a file runs.
/// </summary>
public static class WeightFile
{
    public static IWeightFile Open(string path) => Open(path, LazyBytesFrom);

    /// <param name="lazyBytesFrom">Pickled array data at least this long is read from the file when its tensor is (tests lower it).</param>
    internal static IWeightFile Open(string path, long lazyBytesFrom)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("weight files are little-endian; this machine is not");
        // A file named .safetensors is read as one, so that a damaged one gets the safetensors reader's own diagnosis.
        if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)) return new SafeTensorsWeightFile(SafeTensorsFile.Open(path));
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WeightFileFormatException(path, $"cannot open: {e.Message}");
        }
        try
        {
            Span<byte> head = stackalloc byte[9];
            int got = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            stream.Position = 0;
            head = head[..got];
            if (head.StartsWith("PK\u0003\u0004"u8)) return TorchZipFormat.Open(path, stream);
            if (got == 9 && head[8] == (byte)'{' && BitConverter.ToUInt64(head) is var headerLength && headerLength <= (ulong)stream.Length - 8)
            {
                stream.Dispose();
                return new SafeTensorsWeightFile(SafeTensorsFile.Open(path));
            }
            if (got > 0 && head[0] == 0x80) return OpenPickle(path, stream, lazyBytesFrom);
            throw new WeightFileFormatException(path, got == 0 ? "the file is empty"
                : "not a weight file this tool reads (safetensors, PyTorch .pth/.pt in zip or legacy format, or a pickled .pkl of numpy arrays)");
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>An open safetensors file as a weight file (disposing either closes it).</summary>
    public static IWeightFile From(SafeTensorsFile file) => new SafeTensorsWeightFile(file);

    /// <summary>Array data at least this long stays in the file until its tensor is read.</summary>
    const long LazyBytesFrom = 1 << 16;

    // A legacy torch.save file starts with a pickled magic number; any other pickle is the object itself.
    static IWeightFile OpenPickle(string path, FileStream stream, long lazyBytesFrom)
    {
        var first = new PickleReader(stream, path, new WeightPickleClasses(path), lazyBytesFrom: lazyBytesFrom).Load();
        if (TorchLegacyFormat.IsMagic(first)) return TorchLegacyFormat.Open(path, stream);
        var handle = stream.SafeFileHandle;
        return new PickledWeightFile(path, "pickle", first, readStorage: null, owner: stream, readRange: (range, span) =>
        {
            if (!FileReads.TryReadExactly(handle, span, range.Offset))
                throw new WeightFileFormatException(path, "file ends inside an array's data (changed while reading?)");
        });
    }

    /// <summary>Every tensor of a file, in file order, with its metadata.</summary>
    public static StateDict ReadAll(string path)
    {
        using var file = Open(path);
        var result = new StateDict(file.Metadata);
        try
        {
            foreach (var entry in file.Entries) result.Add(entry.Name, file.Read(entry.Name));
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }
}
