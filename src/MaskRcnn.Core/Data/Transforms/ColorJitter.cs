using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Data.Transforms;

/// <summary>
/// torchvision's ColorJitter on a float RGB image in [0,1]: brightness, contrast, saturation and hue factors drawn
/// uniformly (brightness/contrast/saturation in [max(0, 1−v), 1+v], hue in [−v, v]) and applied in random order.
/// </summary>
public sealed record ColorJitter(double Brightness, double Contrast, double Saturation, double Hue)
{
    public bool IsIdentity => Brightness == 0 && Contrast == 0 && Saturation == 0 && Hue == 0;

    public Tensor Apply(Tensor rgb, Random rng)
    {
        if (IsIdentity) return rgb;
        var order = new[] { 0, 1, 2, 3 }.OrderBy(_ => rng.Next()).ToArray();
        foreach (var op in order)
        {
            rgb = op switch
            {
                0 when Brightness > 0 => Blend(rgb, torch.zeros_like(rgb), Factor(Brightness, rng)),
                1 when Contrast > 0 => Blend(rgb, Grayscale(rgb).mean().expand_as(rgb), Factor(Contrast, rng)),
                2 when Saturation > 0 => Blend(rgb, Grayscale(rgb).expand_as(rgb), Factor(Saturation, rng)),
                3 when Hue > 0 => ShiftHue(rgb, (rng.NextDouble() * 2 - 1) * Hue),
                _ => rgb,
            };
        }
        return rgb;
    }

    static double Factor(double v, Random rng) => Math.Max(0, 1 - v) + rng.NextDouble() * (1 + v - Math.Max(0, 1 - v));

    static Tensor Blend(Tensor image, Tensor other, double ratio) => (ratio * image + (1 - ratio) * other).clamp(0, 1);

    /// <summary>ITU-R 601 luma, as torchvision's rgb_to_grayscale.</summary>
    static Tensor Grayscale(Tensor rgb) => (0.2989f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2]).unsqueeze(0);

    /// <summary>Rotates hue by <paramref name="shift"/> turns (RGB to HSV and back, as torchvision's adjust_hue).</summary>
    internal static Tensor ShiftHue(Tensor rgb, double shift)
    {
        var (r, g, b) = (rgb[0], rgb[1], rgb[2]);
        var max = torch.max(torch.max(r, g), b);
        var min = torch.min(torch.min(r, g), b);
        var delta = max - min;
        var safe = torch.where(delta == 0, torch.ones_like(delta), delta);
        var hr = ((g - b) / safe).remainder(6);
        var hg = (b - r) / safe + 2;
        var hb = (r - g) / safe + 4;
        var h = torch.where(max == r, hr, torch.where(max == g, hg, hb)) / 6;
        h = torch.where(delta == 0, torch.zeros_like(h), h);
        var s = torch.where(max == 0, torch.zeros_like(max), delta / torch.where(max == 0, torch.ones_like(max), max));
        h = (h + shift).remainder(1.0);
        // Back to RGB from (h, s, v = max).
        var i = (h * 6).floor();
        var f = h * 6 - i;
        var p = max * (1 - s);
        var q = max * (1 - s * f);
        var t = max * (1 - s * (1 - f));
        var sector = i.remainder(6).to(ScalarType.Int64);
        Tensor Pick(Tensor a0, Tensor a1, Tensor a2, Tensor a3, Tensor a4, Tensor a5) =>
            torch.where(sector == 0, a0, torch.where(sector == 1, a1, torch.where(sector == 2, a2, torch.where(sector == 3, a3, torch.where(sector == 4, a4, a5)))));
        return torch.stack([Pick(max, q, p, p, t, max), Pick(t, max, max, q, p, p), Pick(p, p, t, max, max, q)]);
    }
}
