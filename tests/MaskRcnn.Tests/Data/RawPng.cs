using System.Buffers.Binary;
using System.IO.Compression;

namespace MaskRcnn.Tests.Data;

/// <summary>Writes PNG files byte by byte, for the colour types SkiaSharp will not encode (palette, 16-bit).</summary>
static class RawPng
{
    /// <summary>A PNG with the given IHDR colour type and bit depth; <paramref name="rows"/> are the raw scanlines
    /// without filter bytes; <paramref name="palette"/> (RGB triples) is written as PLTE when given.</summary>
    public static byte[] Write(int width, int height, byte bitDepth, byte colorType, byte[][] rows, byte[]? palette = null)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = bitDepth;
        header[9] = colorType;
        Chunk(png, "IHDR", header);
        if (palette is not null) Chunk(png, "PLTE", palette);
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            foreach (var row in rows)
            {
                z.WriteByte(0); // filter: none
                z.Write(row);
            }
        Chunk(png, "IDAT", raw.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    static void Chunk(Stream s, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        s.Write(length);
        byte[] typed = [.. type.Select(c => (byte)c), .. data];
        s.Write(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        s.Write(crc);
    }

    static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
