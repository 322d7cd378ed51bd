using SkiaSharp;

namespace MaskRcnn.Visualization;

/// <summary>
/// A sans-serif typeface for labels. The self-contained SkiaSharp build used here has no font configuration, so its
/// default typeface draws nothing; this looks for common font files (DejaVu, Liberation, Noto, Arial, Helvetica)
/// and falls back to the font manager. Null when the machine has no usable font: drawings then go without text.
/// </summary>
public static class Fonts
{
    static readonly string[] Candidates =
    [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        @"C:\Windows\Fonts\arial.ttf",
        "/System/Library/Fonts/Helvetica.ttc",
        "/Library/Fonts/Arial.ttf",
    ];

    static readonly Lazy<SKTypeface?> Sans = new(Find);

    public static SKTypeface? SansSerif => Sans.Value;

    static SKTypeface? Find()
    {
        foreach (var path in Candidates)
            if (File.Exists(path) && SKTypeface.FromFile(path) is { } face) return face;
        var matched = SKFontManager.Default.MatchFamily("sans-serif") ?? SKFontManager.Default.MatchFamily("DejaVu Sans");
        return matched is { } m && m.GlyphCount > 0 ? m : null;
    }
}
