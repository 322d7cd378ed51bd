using System.Runtime.InteropServices;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Data;

/// <summary>
/// Decodes image files (JPEG, PNG, BMP, WebP, GIF first frame) into [3,H,W] uint8 RGB tensors, turned upright
/// by the EXIF orientation. Grayscale, palette, RGBA and 16-bit images all become 8-bit RGB (alpha is dropped).
/// The size is read from the header first, and an image declaring more pixels than the caller's cap
/// (<c>INPUT.MAX_IMAGE_PIXELS</c>) is refused before any pixel memory is taken: a file of a few hundred bytes can
/// declare 50000x50000 pixels (a decompression bomb), which would cost 10 GB to decode.
/// </summary>
public static class ImageDecoder
{
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        { ".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif" };

    /// <summary>Decodes a file; a missing, unreadable, corrupt or too large file (over <paramref name="maxPixels"/>
    /// pixels) is an <see cref="ImageDecodeException"/> naming it.</summary>
    public static Tensor Decode(string path, int maxPixels)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ImageDecodeException(path, e.Message); }
        return Decode(bytes, path, maxPixels);
    }

    public static Tensor Decode(byte[] encoded, string name, int maxPixels)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data) ?? throw new ImageDecodeException(name, "not an image SkiaSharp can read (or a corrupt one)");
        int width = codec.Info.Width, height = codec.Info.Height;
        if (width <= 0 || height <= 0) throw new ImageDecodeException(name, $"empty image {width}x{height}");
        long pixels = (long)width * height; // in long: 65536x65536 is 0 in int
        if (pixels > maxPixels)
            throw new ImageDecodeException(name, $"declares {width}x{height} = {pixels} pixels, more than INPUT.MAX_IMAGE_PIXELS {maxPixels} allows");
        if (pixels * 4 > Array.MaxLength) // RGBA in one array, whatever the cap says
            throw new ImageDecodeException(name, $"{width}x{height} = {pixels} pixels is too large to decode (at most {Array.MaxLength / 4})");
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize];
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        try
        {
            var result = codec.GetPixels(info, handle.AddrOfPinnedObject());
            if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
                throw new ImageDecodeException(name, $"decoding failed ({result})");
            if (result == SKCodecResult.IncompleteInput)
                throw new ImageDecodeException(name, "the file is truncated");
        }
        finally { handle.Free(); }
        using var scope = torch.NewDisposeScope();
        var hwc = torch.tensor(rgba, [height, width, 4], ScalarType.Byte)[.., .., ..3];
        var chw = Orient(hwc.permute(2, 0, 1), codec.EncodedOrigin).contiguous();
        return chw.MoveToOuterDisposeScope();
    }

    /// <summary>Applies the EXIF orientation to a [C,H,W] tensor so that it displays upright.</summary>
    public static Tensor Orient(Tensor chw, SKEncodedOrigin origin) => origin switch
    {
        SKEncodedOrigin.TopRight => chw.flip(2),                      // mirrored left-right
        SKEncodedOrigin.BottomRight => chw.flip(1, 2),                // rotated 180°
        SKEncodedOrigin.BottomLeft => chw.flip(1),                    // mirrored top-bottom
        SKEncodedOrigin.LeftTop => chw.transpose(1, 2),               // transposed
        SKEncodedOrigin.RightTop => chw.transpose(1, 2).flip(2),      // needs 90° clockwise
        SKEncodedOrigin.RightBottom => chw.transpose(1, 2).flip(1, 2), // transverse
        SKEncodedOrigin.LeftBottom => chw.transpose(1, 2).flip(1),    // needs 90° counter-clockwise
        _ => chw,
    };

    /// <summary>The upright size of an image without decoding its pixels.</summary>
    public static Structures.ImageSize ReadSize(string path)
    {
        using var codec = SKCodec.Create(path) ?? throw new ImageDecodeException(path, "not an image SkiaSharp can read (or a corrupt one)");
        bool swapped = codec.EncodedOrigin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        return swapped ? new(codec.Info.Width, codec.Info.Height) : new(codec.Info.Height, codec.Info.Width);
    }
}

/// <summary>An image file that cannot be read; the message names the file.</summary>
public sealed class ImageDecodeException(string path, string reason) : Exception($"{path}: {reason}")
{
    public string FilePath { get; } = path;
}
