using System.IO.Compression;
using MaskRcnn.Pickle;
using MaskRcnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.WeightFiles;

/// <summary>
/// torch.save's zip format (PyTorch 1.6 and later): <c>NAME/data.pkl</c> pickles the object with storages as persistent
/// ids, each storage's raw little-endian bytes are the entry <c>NAME/data/KEY</c>.
/// </summary>
static class TorchZipFormat
{
    public const string Name = "PyTorch zip";

    /// <summary>The object pickle of a weight file is names and sizes; its tensors' data are separate entries.</summary>
    const long MaxPickleBytes = 1L << 30;

    public static IWeightFile Open(string path, Stream stream)
    {
        ZipArchive zip;
        try { zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false); }
        catch (InvalidDataException e) { throw Damaged(path, e); }
        try
        {
            var pickles = zip.Entries.Where(e => e.FullName == "data.pkl" || e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)).ToList();
            if (pickles.Count != 1)
                throw new WeightFileFormatException(path, pickles.Count == 0
                    ? "a zip file without data.pkl: not a torch.save file"
                    : $"a zip file with {pickles.Count} data.pkl entries: not a torch.save file");
            if (pickles[0].Length > MaxPickleBytes)
                throw new WeightFileFormatException(path, $"data.pkl claims {pickles[0].Length} bytes; a weight file's is far smaller");
            var prefix = pickles[0].FullName[..^"data.pkl".Length];
            if (zip.GetEntry(prefix + "byteorder") is { } order && ReadText(order) is var text && text != "little")
                throw new WeightFileFormatException(path, $"tensors are stored {text}-endian; only little-endian files are read");
            var ids = new TorchStorageIds(path);
            using var pickle = new MemoryStream();
            try
            {
                using var s = pickles[0].Open();
                s.CopyTo(pickle);
            }
            catch (InvalidDataException e) { throw Damaged(path, e); }
            pickle.Position = 0;
            var root = new PickleReader(pickle, path, new WeightPickleClasses(path), ids.Load).Load();
            return new PickledWeightFile(path, Name, root, storage => ReadStorage(path, zip, prefix, storage), zip);
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    static string ReadText(ZipArchiveEntry entry)
    {
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd().Trim();
    }

    static unsafe Tensor ReadStorage(string path, ZipArchive zip, string prefix, TorchStorage storage)
    {
        var entryName = $"{prefix}data/{storage.Key}";
        var entry = zip.GetEntry(entryName) ?? throw new WeightFileFormatException(path, $"storage {storage.Key} is missing (no entry {entryName})");
        long bytes = checked(storage.Numel * storage.ElementSize);
        if (entry.Length < bytes)
            throw new WeightFileFormatException(path, $"entry {entryName} holds {entry.Length} bytes, fewer than its {storage.Numel} elements need ({bytes})");
        var tensor = torch.empty(storage.Numel, storage.Type);
        try
        {
            using var stream = entry.Open();
            var address = (byte*)tensor.RawAddress();
            for (long done = 0; done < bytes;)
            {
                var read = stream.Read(new Span<byte>(address + done, (int)Math.Min(1 << 30, bytes - done)));
                if (read == 0) throw new WeightFileFormatException(path, $"entry {entryName} ends early (corrupt file?)");
                done += read;
            }
            return tensor;
        }
        catch (InvalidDataException e)
        {
            tensor.Dispose();
            throw Damaged(path, e);
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    static WeightFileFormatException Damaged(string path, InvalidDataException e) =>
        new(path, $"damaged zip file (truncated?): {e.Message}");
}
