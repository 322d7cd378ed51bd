using System.Buffers.Binary;
using System.IO.Compression;

namespace MaskRcnn.IO;

/// <summary>
/// Encodes a single-channel PNG of 8 or 16 bits per pixel (SkiaSharp encodes no 16-bit grayscale): signature, IHDR,
/// one zlib-compressed IDAT of unfiltered rows (16-bit samples big-endian, as PNG stores them), IEND, each chunk
/// with its CRC-32. For label images, where the value is an id, not a brightness.
/// </summary>
public static class GrayscalePng
{
    /// <param name="pixels">Row-major values, each in 0..2^bitDepth − 1.</param>
    /// <param name="bitDepth">8 or 16.</param>
    public static byte[] Encode(ReadOnlySpan<int> pixels, int width, int height, int bitDepth)
    {
        if (bitDepth is not (8 or 16)) throw new ArgumentException($"bit depth {bitDepth}: expected 8 or 16", nameof(bitDepth));
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size {width}x{height} is not positive");
        if (pixels.Length != (long)width * height) throw new ArgumentException($"{pixels.Length} pixels for a {width}x{height} image", nameof(pixels));
        int max = (1 << bitDepth) - 1, bytesPerPixel = bitDepth / 8;
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = (byte)bitDepth;
        header[9] = 0; // colour type 0: grayscale; compression, filter and interlace methods 0
        WriteChunk(png, "IHDR", header);
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            var row = new byte[1 + width * bytesPerPixel]; // leading 0: the row's filter, None
            for (int y = 0; y < height; y++)
            {
                var values = pixels.Slice(y * width, width);
                for (int x = 0; x < width; x++)
                {
                    int v = values[x];
                    if (v < 0 || v > max) throw new ArgumentException($"pixel ({x}, {y}) is {v}, outside 0..{max} for {bitDepth} bits", nameof(pixels));
                    if (bitDepth == 8) row[1 + x] = (byte)v;
                    else BinaryPrimitives.WriteUInt16BigEndian(row.AsSpan(1 + 2 * x), (ushort)v);
                }
                z.Write(row);
            }
        }
        WriteChunk(png, "IDAT", compressed.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    static void WriteChunk(Stream png, string type, byte[] data)
    {
        Span<byte> field = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(field, data.Length);
        png.Write(field);
        var typed = new byte[4 + data.Length];
        for (int i = 0; i < 4; i++) typed[i] = (byte)type[i];
        data.CopyTo(typed, 4);
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(field, Crc32(typed));
        png.Write(field);
    }

    static readonly uint[] CrcTable = MakeCrcTable();

    static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>The CRC-32 of PNG's specification (ISO 3309) over a chunk's type and data.</summary>
    static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (var b in bytes) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }
}
