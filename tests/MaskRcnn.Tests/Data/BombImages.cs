using SkiaSharp;

namespace MaskRcnn.Tests.Data;

/// <summary>Decompression bombs: files of a few hundred bytes whose headers declare huge images. Their pixel data is
/// short or empty; only a decoder that believes the header and allocates for it is hurt.</summary>
static class BombImages
{
    /// <summary>A PNG whose IHDR (with a valid CRC) declares <paramref name="width"/>×<paramref name="height"/> RGB
    /// pixels, followed by an empty IDAT.</summary>
    public static byte[] Png(int width, int height) => RawPng.Write(width, height, 8, 2, []);

    /// <summary>A real 16×16 baseline JPEG whose SOF0 frame header is rewritten to declare
    /// <paramref name="width"/>×<paramref name="height"/> pixels (at most 65535 each: the fields are 16 bits).</summary>
    public static byte[] Jpeg(int width, int height)
    {
        var jpeg = ImageFiles.Encode(16, 16, SKEncodedImageFormat.Jpeg, (x, y) => ((byte)(x * 16), (byte)(y * 16), 0, 255));
        // SOF0: FF C0, length (2 bytes), precision (1), height (2), width (2), all big-endian.
        int sof = Enumerable.Range(0, jpeg.Length - 1).First(i => jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0);
        (jpeg[sof + 5], jpeg[sof + 6], jpeg[sof + 7], jpeg[sof + 8]) = ((byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width);
        return jpeg;
    }
}
