using MaskRcnn.Data;
using SkiaSharp;
using TorchSharp;

namespace MaskRcnn.Tests.Data;

public class ImageDecoderTests
{
    // A 3-wide, 2-high test card whose every pixel is distinct: (x, y) -> (10x, 100 + 10y, 7).
    static (byte, byte, byte, byte) Card(int x, int y) => ((byte)(10 * x), (byte)(100 + 10 * y), 7, 255);

    [Fact]
    public void PngBecomesChannelFirstRgb()
    {
        var image = ImageDecoder.Decode(ImageFiles.Encode(3, 2, SKEncodedImageFormat.Png, Card), "card.png", int.MaxValue);
        Assert.Equal(new long[] { 3, 2, 3 }, image.shape);
        Assert.Equal(torch.ScalarType.Byte, image.dtype);
        Assert.Equal(new byte[] { 0, 10, 20, 0, 10, 20 }, image[0].flatten().data<byte>().ToArray());
        Assert.Equal(new byte[] { 100, 100, 100, 110, 110, 110 }, image[1].flatten().data<byte>().ToArray());
    }

    [Fact]
    public void GrayscaleBecomesThreeEqualChannels()
    {
        var bytes = ImageFiles.Encode(4, 4, SKEncodedImageFormat.Png, (x, y) => ((byte)(40 * x), (byte)(40 * x), (byte)(40 * x), 255), SKColorType.Gray8);
        var image = ImageDecoder.Decode(bytes, "gray.png", int.MaxValue);
        Assert.Equal(new long[] { 3, 4, 4 }, image.shape);
        TensorAssert.Equal(image[0], image[1]);
        TensorAssert.Equal(image[0], image[2]);
        Assert.Equal(120, image[0, 0, 3].item<byte>());
    }

    [Fact]
    public void PaletteImagesBecomeRgb()
    {
        // 2×1, 8-bit indices into a three-colour palette.
        var png = RawPng.Write(2, 1, 8, 3, [[2, 0]], palette: [10, 20, 30, 40, 50, 60, 200, 100, 0]);
        var image = ImageDecoder.Decode(png, "palette.png", int.MaxValue);
        Assert.Equal(new byte[] { 200, 10, 100, 20, 0, 30 }, image.flatten().data<byte>().ToArray());
    }

    [Fact]
    public void SixteenBitImagesBecomeEightBit()
    {
        // 16-bit grayscale 0xFFFF and 0x8080, and 16-bit RGB (0x1000, 0x8000, 0xFFFF): the high byte survives.
        var gray = ImageDecoder.Decode(RawPng.Write(2, 1, 16, 0, [[0xFF, 0xFF, 0x80, 0x80]]), "gray16.png", int.MaxValue);
        Assert.Equal(new byte[] { 255, 128 }, gray[0].flatten().data<byte>().ToArray());
        var rgb = ImageDecoder.Decode(RawPng.Write(1, 1, 16, 2, [[0x10, 0x00, 0x80, 0x00, 0xFF, 0xFF]]), "rgb16.png", int.MaxValue);
        var values = rgb.flatten().data<byte>().ToArray();
        Assert.InRange(values[0], 15, 17);
        Assert.InRange(values[1], 127, 129);
        Assert.Equal(255, values[2]);
    }

    [Fact]
    public void AlphaIsDropped()
    {
        var bytes = ImageFiles.Encode(2, 2, SKEncodedImageFormat.Png, (x, y) => (200, 100, 50, 128));
        var image = ImageDecoder.Decode(bytes, "rgba.png", int.MaxValue);
        Assert.Equal(new long[] { 3, 2, 2 }, image.shape);
        Assert.Equal(200, image[0, 1, 1].item<byte>());
    }

    // A JPEG card of 3×2 blocks of 8×8 pixels: red = 120·column, green = 200·row (blocks survive JPEG's lossy coding).
    static (byte, byte, byte, byte) Blocks(int x, int y) => ((byte)(120 * (x / 8)), (byte)(200 * (y / 8)), 0, 255);

    [Theory]
    [InlineData(1, 24, 16, new byte[] { 0, 120, 240, 0, 120, 240 }, new byte[] { 0, 0, 0, 200, 200, 200 })]      // upright
    [InlineData(3, 24, 16, new byte[] { 240, 120, 0, 240, 120, 0 }, new byte[] { 200, 200, 200, 0, 0, 0 })]      // rotated 180°
    [InlineData(6, 16, 24, new byte[] { 0, 0, 120, 120, 240, 240 }, new byte[] { 200, 0, 200, 0, 200, 0 })]      // turn 90° clockwise
    [InlineData(8, 16, 24, new byte[] { 240, 240, 120, 120, 0, 0 }, new byte[] { 0, 200, 0, 200, 0, 200 })]      // turn 90° counter-clockwise
    public void ExifOrientationIsApplied(int orientation, int width, int height, byte[] red, byte[] green)
    {
        var jpeg = WithExifOrientation(ImageFiles.Encode(24, 16, SKEncodedImageFormat.Jpeg, Blocks), orientation);
        var image = ImageDecoder.Decode(jpeg, "photo.jpg", int.MaxValue);
        Assert.Equal(new long[] { 3, height, width }, image.shape);
        // Block centres, row by row, within a few levels of the block colour.
        var centres = from row in Enumerable.Range(0, height / 8) from col in Enumerable.Range(0, width / 8) select (4 + 8 * row, 4 + 8 * col);
        var got = centres.Select(c => (R: image[0, c.Item1, c.Item2].item<byte>(), G: image[1, c.Item1, c.Item2].item<byte>())).ToArray();
        Assert.All(got.Zip(red, green), p => Assert.True(Math.Abs(p.First.R - p.Second) <= 6 && Math.Abs(p.First.G - p.Third) <= 6,
            $"got ({p.First.R}, {p.First.G}), expected ({p.Second}, {p.Third})"));
        using var dir = new TempDir();
        var path = dir.File("photo.jpg", "");
        File.WriteAllBytes(path, jpeg);
        Assert.Equal(new MaskRcnn.Structures.ImageSize(height, width), ImageDecoder.ReadSize(path));
    }

    [Fact]
    public void CorruptAndTruncatedFilesAreNamed()
    {
        Assert.Contains("junk.png", Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode([1, 2, 3, 4], "junk.png", int.MaxValue)).Message);
        var png = ImageFiles.Encode(64, 64, SKEncodedImageFormat.Png, (x, y) => ((byte)x, (byte)y, 0, 255));
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(png[..(png.Length / 2)], "cut.png", int.MaxValue));
        Assert.Contains("cut.png", e.Message);
        Assert.Contains("missing.png", Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode("/nonexistent/missing.png", int.MaxValue)).Message);
    }

    [Theory]
    [InlineData("png", 50000, 50000)] // 2.5e9 pixels: 10 GB of RGBA (the old decoder overran its buffer and the process died)
    [InlineData("png", 65536, 65536)] // 2^32 pixels: 0 in int arithmetic
    [InlineData("jpg", 60000, 60000)] // 3.6e9 pixels: negative in int arithmetic
    [InlineData("jpg", 10000, 8948)]  // one row over the cap, 358 MB: decodable, but not by default
    public void AnImageDeclaringMorePixelsThanTheCapIsRefusedFromItsHeader(string format, int width, int height)
    {
        var bomb = format == "png" ? BombImages.Png(width, height) : BombImages.Jpeg(width, height);
        Assert.InRange(bomb.Length, 1, 1000);
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(bomb, $"bomb.{format}", 89_478_485));
        Assert.Equal($"bomb.{format}: declares {width}x{height} = {(long)width * height} pixels, more than INPUT.MAX_IMAGE_PIXELS 89478485 allows", e.Message);
    }

    [Fact]
    public void AnImageAtTheCapDecodesAndNoCapLetsThroughWhatOneBufferCannotHold()
    {
        var card = ImageFiles.Encode(3, 2, SKEncodedImageFormat.Png, Card);
        Assert.Equal(new long[] { 3, 2, 3 }, ImageDecoder.Decode(card, "card.png", maxPixels: 6).shape);
        Assert.Equal("card.png: declares 3x2 = 6 pixels, more than INPUT.MAX_IMAGE_PIXELS 5 allows",
            Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(card, "card.png", maxPixels: 5)).Message);
        // Under the largest cap the config can hold, an image whose RGBA would not fit in one array is still refused.
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.Decode(BombImages.Png(30000, 30000), "big.png", int.MaxValue));
        Assert.Equal($"big.png: 30000x30000 = 900000000 pixels is too large to decode (at most {Array.MaxLength / 4})", e.Message);
    }

    /// <summary>Inserts an APP1 Exif segment with one Orientation tag after the JPEG's SOI marker.</summary>
    static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        byte[] tiff =
        [
            (byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0, // little-endian TIFF header, first IFD at offset 8
            1, 0,                                    // one entry
            0x12, 0x01, 3, 0, 1, 0, 0, 0,            // tag 0x0112 Orientation, type SHORT, count 1
            (byte)orientation, 0, 0, 0,              // value
            0, 0, 0, 0,                              // no next IFD
        ];
        byte[] payload = [(byte)'E', (byte)'x', (byte)'i', (byte)'f', 0, 0, .. tiff];
        int length = payload.Length + 2;
        byte[] app1 = [0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. payload];
        return [.. jpeg[..2], .. app1, .. jpeg[2..]];
    }
}
