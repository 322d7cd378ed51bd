using System.Buffers.Binary;
using System.IO.Compression;
using MaskRcnn.Data;
using MaskRcnn.IO;

namespace MaskRcnn.Tests.IO;

/// <summary>8- and 16-bit grayscale PNGs: a standard decoder reads them (chunk CRCs included), and the samples are the values.</summary>
public class GrayscalePngTests
{
    static readonly int[] Values = [0, 1, 2, 255, 7, 9];

    /// <summary>The IHDR fields and the inflated scanlines of a PNG with one IDAT.</summary>
    static (int Width, int Height, int Depth, int ColourType, byte[] Raw) Parse(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        int offset = 8;
        (int, int, int, int) header = default;
        byte[] raw = [];
        while (offset < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            var type = System.Text.Encoding.ASCII.GetString(png, offset + 4, 4);
            var data = png.AsSpan(offset + 8, length);
            if (type == "IHDR") header = (BinaryPrimitives.ReadInt32BigEndian(data), BinaryPrimitives.ReadInt32BigEndian(data[4..]), data[8], data[9]);
            if (type == "IDAT")
            {
                using var inflate = new ZLibStream(new MemoryStream(data.ToArray()), CompressionMode.Decompress);
                using var output = new MemoryStream();
                inflate.CopyTo(output);
                raw = output.ToArray();
            }
            offset += 12 + length;
        }
        return (header.Item1, header.Item2, header.Item3, header.Item4, raw);
    }

    [Fact]
    public void EightBit()
    {
        var png = GrayscalePng.Encode(Values, 3, 2, 8);
        var (width, height, depth, colour, raw) = Parse(png);
        Assert.Equal((3, 2, 8, 0), (width, height, depth, colour));
        Assert.Equal(new byte[] { 0, 0, 1, 2, 0, 255, 7, 9 }, raw); // each row starts with its filter byte, 0
        var decoded = ImageDecoder.Decode(png, "mask.png", int.MaxValue); // gray becomes R = G = B
        Assert.Equal(Values, decoded[0].flatten().data<byte>().Select(b => (int)b));
        Assert.Equal(Values, decoded[2].flatten().data<byte>().Select(b => (int)b));
    }

    [Fact]
    public void SixteenBitIsBigEndian()
    {
        int[] values = [0, 256, 65535, 300];
        var png = GrayscalePng.Encode(values, 2, 2, 16);
        var (width, height, depth, colour, raw) = Parse(png);
        Assert.Equal((2, 2, 16, 0), (width, height, depth, colour));
        Assert.Equal(new byte[] { 0, 0, 0, 1, 0, 0, 0xFF, 0xFF, 0x01, 0x2C }, raw);
        Assert.Equal(new long[] { 3, 2, 2 }, ImageDecoder.Decode(png, "mask16.png", int.MaxValue).shape); // valid for a standard decoder
    }

    [Fact]
    public void ValuesOutOfRangeAreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => GrayscalePng.Encode([0, 256], 2, 1, 8));
        Assert.StartsWith("pixel (1, 0) is 256, outside 0..255 for 8 bits", e.Message);
        Assert.Throws<ArgumentException>(() => GrayscalePng.Encode([0, 1], 3, 1, 8));
        Assert.Throws<ArgumentException>(() => GrayscalePng.Encode([0], 1, 1, 4));
    }
}
