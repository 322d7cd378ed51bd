using MaskRcnn.IO;
using MaskRcnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.SafeTensors;

/// <summary>
/// An open safetensors file: the checked header, and tensors read on demand straight from the file into
/// fresh CPU tensors' memory (no intermediate buffer, no per-element calls), so a 170 MB file costs 170 MB.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    /// <summary>Checks go in pieces of at most this many bytes (a span cannot pass 2 GB).</summary>
    const int ReadChunkBytes = 1 << 30;

    readonly FileStream stream;

    SafeTensorsFile(string path, FileStream stream, SafeTensorsHeader header)
    {
        Path = path;
        this.stream = stream;
        Header = header;
    }

    public string Path { get; }
    public SafeTensorsHeader Header { get; }
    public IReadOnlyList<SafeTensorInfo> Tensors => Header.Tensors;
    public IReadOnlyDictionary<string, string> Metadata => Header.Metadata;

    public static SafeTensorsFile Open(string path)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors data is little-endian; this machine is not");
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.RandomAccess);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SafeTensorsException(path, $"cannot open: {e.Message}");
        }
        try
        {
            return new SafeTensorsFile(path, stream, SafeTensorsHeader.Read(path, stream, stream.Length));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads the whole file: every tensor in header order, and the metadata.</summary>
    public static StateDict Load(string path, bool halfToFloat32 = false)
    {
        using var file = Open(path);
        return file.ReadAll(halfToFloat32);
    }

    public StateDict ReadAll(bool halfToFloat32 = false)
    {
        var result = new StateDict(Metadata);
        try
        {
            foreach (var info in Tensors) result.Add(info.Name, Read(info, halfToFloat32));
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    public Tensor Read(string name, bool halfToFloat32 = false) =>
        Read(Header.ByName.TryGetValue(name, out var info) ? info : throw new SafeTensorsException(Path, $"no tensor named '{name}'"), halfToFloat32);

    /// <summary>One tensor as a new CPU tensor of its stored dtype, or float32 for F16/BF16 when asked.</summary>
    public Tensor Read(SafeTensorInfo info, bool halfToFloat32 = false)
    {
        var tensor = torch.empty(info.Shape, info.Type);
        try
        {
            ReadInto(tensor, info);
            if (info.Type == ScalarType.Bool && HasNonBooleanByte(tensor))
                throw new SafeTensorsException(Path, $"tensor '{info.Name}': BOOL data holds a byte other than 0 or 1");
            if (halfToFloat32 && info.Type is ScalarType.Float16 or ScalarType.BFloat16)
            {
                var single = tensor.to(ScalarType.Float32);
                tensor.Dispose();
                tensor = single;
            }
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    unsafe void ReadInto(Tensor tensor, SafeTensorInfo info)
    {
        if (!FileReads.TryReadExactly(stream.SafeFileHandle, (byte*)tensor.RawAddress(), info.ByteLength, Header.DataStart + info.Begin))
            throw new SafeTensorsException(Path, $"tensor '{info.Name}': file ended inside its data (changed while reading?)");
    }

    static unsafe bool HasNonBooleanByte(Tensor tensor)
    {
        var length = tensor.numel();
        var address = (byte*)tensor.RawAddress();
        for (long done = 0; done < length; done += ReadChunkBytes)
        {
            var span = new ReadOnlySpan<byte>(address + done, (int)Math.Min(ReadChunkBytes, length - done));
            if (span.IndexOfAnyExceptInRange((byte)0, (byte)1) >= 0) return true;
        }
        return false;
    }

    public void Dispose() => stream.Dispose();
}
