using System.Text.Json;
using MaskRcnn.IO;
using SkiaSharp;

namespace MaskRcnn.Visualization;

/// <summary>Draws the loss curves of a training run (from its metrics.jsonl) as a PNG: one line per loss over
/// iterations, total loss in black, with axes and a legend (labels only where the machine has a font; see <see cref="Fonts"/>).</summary>
public static class LossPlot
{
    static readonly SKColor[] Palette =
        [new(0x1f, 0x77, 0xb4), new(0xff, 0x7f, 0x0e), new(0x2c, 0xa0, 0x2c), new(0xd6, 0x27, 0x28), new(0x94, 0x67, 0xbd), new(0x8c, 0x56, 0x4b)];

    /// <summary>Reads the "iteration" and every "loss*" value of each line. A line that is not a metrics record (torn
    /// by a run killed mid-write) is skipped and reported to <paramref name="skipped"/> with its line number.</summary>
    public static Dictionary<string, List<(double Iteration, double Value)>> ReadSeries(string metricsPath, Action<string>? skipped = null)
    {
        var series = new Dictionary<string, List<(double, double)>>();
        int number = 0;
        foreach (var line in File.ReadLines(metricsPath))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                double iteration = root.GetProperty("iteration").GetDouble();
                foreach (var p in root.EnumerateObject())
                    if (p.Name.StartsWith("loss") && p.Value.ValueKind == JsonValueKind.Number && double.IsFinite(p.Value.GetDouble()))
                    {
                        if (!series.TryGetValue(p.Name, out var list)) series[p.Name] = list = [];
                        list.Add((iteration, p.Value.GetDouble()));
                    }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                skipped?.Invoke($"{metricsPath}:{number}: not a metrics record (torn by an interrupted run?), skipped in the plot");
            }
        }
        return series;
    }

    public static void Write(string metricsPath, string pngPath, int width = 900, int height = 540, Action<string>? skipped = null)
    {
        var series = ReadSeries(metricsPath, skipped);
        if (series.Count == 0) return;
        const float left = 70, right = 190, top = 30, bottom = 50;
        double maxX = series.Values.SelectMany(s => s).Max(p => p.Iteration), minX = series.Values.SelectMany(s => s).Min(p => p.Iteration);
        double maxY = series.Values.SelectMany(s => s).Max(p => p.Value);
        if (maxX <= minX) maxX = minX + 1;
        if (maxY <= 0) maxY = 1;
        float X(double x) => left + (float)((x - minX) / (maxX - minX)) * (width - left - right);
        float Y(double y) => height - bottom - (float)(y / maxY) * (height - top - bottom);

        using var surface = SKSurface.Create(new SKImageInfo(width, height));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        var typeface = Fonts.SansSerif;
        using var font = new SKFont(typeface ?? SKTypeface.Default, 13);
        using var axis = new SKPaint { Color = SKColors.Gray, StrokeWidth = 1, IsAntialias = true };
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawLine(left, height - bottom, width - right, height - bottom, axis);
        canvas.DrawLine(left, top, left, height - bottom, axis);
        for (int k = 0; k <= 4; k++)
        {
            double yv = maxY * k / 4;
            canvas.DrawText(yv.ToString("G3"), 8, Y(yv) + 4, SKTextAlign.Left, font, text);
            double xv = minX + (maxX - minX) * k / 4;
            canvas.DrawText(((long)xv).ToString(), X(xv) - 10, height - bottom + 18, SKTextAlign.Left, font, text);
        }
        canvas.DrawText("iteration", (left + width - right) / 2 - 25, height - 10, SKTextAlign.Left, font, text);
        int colour = 0, row = 0;
        foreach (var (name, points) in series.OrderBy(s => s.Key == "loss" ? "" : s.Key))
        {
            var c = name == "loss" ? SKColors.Black : Palette[colour++ % Palette.Length];
            using var pen = new SKPaint { Color = c, StrokeWidth = name == "loss" ? 2.5f : 1.5f, IsAntialias = true, Style = SKPaintStyle.Stroke };
            for (int i = 1; i < points.Count; i++)
                canvas.DrawLine(X(points[i - 1].Iteration), Y(points[i - 1].Value), X(points[i].Iteration), Y(points[i].Value), pen);
            float ly = top + 18 * row++;
            canvas.DrawLine(width - right + 12, ly - 4, width - right + 32, ly - 4, pen);
            canvas.DrawText(name, width - right + 38, ly, SKTextAlign.Left, font, text);
        }
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(pngPath, png.ToArray());
    }
}
