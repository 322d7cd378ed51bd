using System.Globalization;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Keypoints;
using MaskRcnn.Structures.Masks;
using MaskRcnn.Tensors;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Visualization;

/// <summary>
/// Draws detections on their image: each instance's mask tinted with its own colour from a fixed palette of distinct
/// colours (translucent; where masks overlap, the earlier instance's colour), its box outlined in that colour, and
/// "class score" on a filled label above the box (inside it when there is no room above), and, for Keypoint R-CNN,
/// its skeleton in that colour (<see cref="DrawKeypoints"/>). Line width and text size
/// follow the image's longer side, from 1 px lines and 9 px text on a 64 px thumbnail to about 13 px and 90 px on a
/// 4000 px photo. Without a system font (<see cref="Fonts"/>) the labels are left out and the rest is drawn.
/// Written as JPEG for .jpg/.jpeg paths (photos stay small) and PNG for anything else.
/// </summary>
public static class DetectionOverlay
{
    /// <summary>Sasha Trubetskoy's 20 distinct colours, instance k taking colour k mod 20.</summary>
    public static IReadOnlyList<SKColor> Palette { get; } =
    [
        new(230, 25, 75), new(60, 180, 75), new(255, 225, 25), new(0, 130, 200), new(245, 130, 48),
        new(145, 30, 180), new(70, 240, 240), new(240, 50, 230), new(210, 245, 60), new(250, 190, 212),
        new(0, 128, 128), new(220, 190, 255), new(170, 110, 40), new(255, 250, 200), new(128, 0, 0),
        new(170, 255, 195), new(128, 128, 0), new(255, 215, 180), new(0, 0, 128), new(128, 128, 128),
    ];

    public const float MaskOpacity = 0.45f;
    public const int JpegQuality = 92;

    /// <summary>maskrcnn-benchmark's demo (<c>vis_keypoints</c>, <c>kp_thresh=2</c>): a keypoint is drawn when its score,
    /// the heatmap logit, is above 2, a limb when both its ends are (detectron2's visualizer thresholds a probability
    /// instead; its scores are not ours).</summary>
    public const float KeypointThreshold = 2f;

    public static SKEncodedImageFormat FormatFor(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".jpg" or ".jpeg" ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Png;

    /// <summary>Draws and writes the overlay; the format follows the extension (see <see cref="FormatFor"/>).</summary>
    public static void Write(string path, Tensor rgb, BoxList detections, Func<long, string> className)
    {
        using var bitmap = Draw(rgb, detections, className);
        using var image = SKImage.FromBitmap(bitmap);
        using var encoded = image.Encode(FormatFor(path), JpegQuality) ?? throw new IOException($"{path}: encoding the overlay failed");
        using var file = File.Create(path);
        encoded.SaveTo(file);
    }

    /// <param name="rgb">The image, [3,H,W] uint8 RGB.</param>
    /// <param name="detections">Its detections in its own pixels: boxes, "labels", "scores", and optionally "masks" (BitMasks)
    /// and "keypoints" (PersonKeypoints) with "keypoint_scores".</param>
    /// <param name="className">The name of a label.</param>
    public static SKBitmap Draw(Tensor rgb, BoxList detections, Func<long, string> className)
    {
        if (rgb.dim() != 3 || rgb.shape[0] != 3 || rgb.dtype != ScalarType.Byte)
            throw new ArgumentException($"image must be [3,H,W] uint8 RGB, got [{string.Join(",", rgb.shape)}] {rgb.dtype}");
        int height = (int)rgb.shape[1], width = (int)rgb.shape[2];
        if (detections.Size != new ImageSize(height, width))
            throw new ArgumentException($"detections are for a {detections.Size} image, the image is {width}x{height}");
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var scope = torch.NewDisposeScope())
        {
            var tinted = TintMasks(rgb.cpu(), detections);
            var rgba = torch.cat([tinted.permute(1, 2, 0), torch.full(height, width, 1, 255, ScalarType.Byte)], 2).contiguous();
            rgba.AsSpan<byte>().CopyTo(bitmap.GetPixelSpan());
        }
        using var canvas = new SKCanvas(bitmap);
        DrawBoxesSkeletonsAndLabels(canvas, detections, className, width, height);
        return bitmap;
    }

    /// <summary>Each detection's COCO skeleton (<see cref="PersonKeypoints.Skeleton"/>) in its colour: limbs whose two
    /// ends score above <see cref="KeypointThreshold"/>, and a dot on each keypoint that does. maskrcnn-benchmark's demo
    /// rule, with COCO's limbs in place of its own list (which adds mid-shoulder to nose and to mid-hip).</summary>
    static void DrawKeypoints(SKCanvas canvas, BoxList detections, float lineWidth)
    {
        if (!detections.Has(BoxFields.Keypoints) || detections.Count == 0) return;
        using var scope = torch.NewDisposeScope();
        int k = PersonKeypoints.Names.Count;
        var points = detections.Field<PersonKeypoints>(BoxFields.Keypoints).Tensor.ToCpuContiguous(ScalarType.Float32).AsSpan<float>();
        var scores = detections.Field(BoxFields.KeypointScores).ToCpuContiguous(ScalarType.Float32).AsSpan<float>();
        using var limb = new SKPaint { Style = SKPaintStyle.Stroke, StrokeWidth = lineWidth, StrokeCap = SKStrokeCap.Round, IsAntialias = true };
        using var dot = new SKPaint { Style = SKPaintStyle.Fill, IsAntialias = true };
        float radius = 1.5f * lineWidth;
        for (int i = detections.Count - 1; i >= 0; i--)
        {
            limb.Color = dot.Color = Palette[i % Palette.Count];
            var instance = points.Slice(3 * k * i, 3 * k);
            var score = scores.Slice(k * i, k);
            foreach (var (from, to) in PersonKeypoints.Skeleton)
                if (score[from] > KeypointThreshold && score[to] > KeypointThreshold)
                    canvas.DrawLine(instance[3 * from], instance[3 * from + 1], instance[3 * to], instance[3 * to + 1], limb);
            for (int j = 0; j < k; j++)
                if (score[j] > KeypointThreshold) canvas.DrawCircle(instance[3 * j], instance[3 * j + 1], radius, dot);
        }
    }

    /// <summary>Blends each pixel a mask covers with its instance's colour, all instances in one pass.</summary>
    static Tensor TintMasks(Tensor rgb, BoxList detections)
    {
        if (!detections.Has(BoxFields.Masks) || detections.Count == 0) return rgb;
        var owner = InstanceLabelMap.Of(detections.Field<BitMasks>(BoxFields.Masks)).cpu();
        var palette = torch.tensor(Palette.SelectMany(c => new float[] { c.Red, c.Green, c.Blue }).ToArray(), [Palette.Count, 3]);
        var colourIndex = ((owner - 1).clamp_min(0) % Palette.Count).to(ScalarType.Int64);
        var colours = palette.index_select(0, colourIndex.flatten()).view(owner.shape[0], owner.shape[1], 3).permute(2, 0, 1);
        var image = rgb.to(ScalarType.Float32);
        var blended = image * (1 - MaskOpacity) + colours * MaskOpacity;
        return torch.where(owner.gt(0).unsqueeze(0), blended, image).round().clamp(0, 255).to(ScalarType.Byte);
    }

    static void DrawBoxesSkeletonsAndLabels(SKCanvas canvas, BoxList detections, Func<long, string> className, int width, int height)
    {
        int count = detections.Count;
        if (count == 0) return;
        using var scope = torch.NewDisposeScope();
        var boxes = detections.Boxes.ToCpuContiguous(ScalarType.Float32).AsSpan<float>();
        var labels = detections.Field(BoxFields.Labels).ToCpuContiguous(ScalarType.Int64).AsSpan<long>();
        var scores = detections.Field(BoxFields.Scores).ToCpuContiguous(ScalarType.Float32).AsSpan<float>();
        float longSide = Math.Max(width, height);
        float lineWidth = Math.Max(1f, longSide / 300f);
        using var pen = new SKPaint { Style = SKPaintStyle.Stroke, StrokeWidth = lineWidth, IsAntialias = true };
        // Last to first, so that the first (most confident, when sorted) ends on top.
        for (int i = count - 1; i >= 0; i--)
        {
            pen.Color = Palette[i % Palette.Count];
            canvas.DrawRect(SKRect.Create(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2] - boxes[4 * i], boxes[4 * i + 3] - boxes[4 * i + 1]), pen);
        }
        // Under the labels, over the boxes.
        DrawKeypoints(canvas, detections, lineWidth);
        if (Fonts.SansSerif is not { } typeface) return;
        using var font = new SKFont(typeface, Math.Max(9f, longSide / 45f));
        using var fill = new SKPaint { Style = SKPaintStyle.Fill, IsAntialias = true };
        using var text = new SKPaint { IsAntialias = true };
        var metrics = font.Metrics;
        float padding = font.Size * 0.2f, labelHeight = metrics.Descent - metrics.Ascent + 2 * padding;
        for (int i = count - 1; i >= 0; i--)
        {
            var caption = string.Create(CultureInfo.InvariantCulture, $"{className(labels[i])} {scores[i]:0.00}");
            float labelWidth = font.MeasureText(caption) + 2 * padding;
            float left = Math.Clamp(boxes[4 * i], 0, Math.Max(0, width - labelWidth));
            float top = boxes[4 * i + 1] - labelHeight >= 0 ? boxes[4 * i + 1] - labelHeight : Math.Max(0, Math.Min(boxes[4 * i + 1], height - labelHeight));
            var colour = Palette[i % Palette.Count];
            fill.Color = colour;
            canvas.DrawRect(SKRect.Create(left, top, labelWidth, labelHeight), fill);
            // Dark text on light colours, white on dark ones (Rec. 601 luma).
            text.Color = 0.299 * colour.Red + 0.587 * colour.Green + 0.114 * colour.Blue > 150 ? SKColors.Black : SKColors.White;
            canvas.DrawText(caption, left + padding, top + padding - metrics.Ascent, SKTextAlign.Left, font, text);
        }
    }
}
