using System.Runtime.InteropServices;
using SkiaSharp;

namespace MaskRcnn.Tests.Data;

/// <summary>Encodes small test images.</summary>
static class ImageFiles
{
    public static byte[] Png(int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel) =>
        Encode(width, height, SKEncodedImageFormat.Png, (x, y) => { var (r, g, b) = pixel(x, y); return (r, g, b, 255); });

    public static byte[] Encode(int width, int height, SKEncodedImageFormat format, Func<int, int, (byte R, byte G, byte B, byte A)> pixel,
        SKColorType colorType = SKColorType.Rgba8888)
    {
        var rgba = new byte[width * height * 4];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                var (r, g, b, a) = pixel(x, y);
                int p = 4 * (y * width + x);
                (rgba[p], rgba[p + 1], rgba[p + 2], rgba[p + 3]) = (r, g, b, a);
            }
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        try
        {
            using var source = new SKPixmap(info, handle.AddrOfPinnedObject(), info.RowBytes);
            using var bitmap = new SKBitmap(new SKImageInfo(width, height, colorType, colorType == SKColorType.Gray8 ? SKAlphaType.Opaque : SKAlphaType.Unpremul));
            if (!source.ReadPixels(bitmap.PeekPixels())) throw new InvalidOperationException($"cannot convert to {colorType}");
            using var data = bitmap.Encode(format, 95) ?? throw new InvalidOperationException($"cannot encode {format}");
            return data.ToArray();
        }
        finally { handle.Free(); }
    }
}
