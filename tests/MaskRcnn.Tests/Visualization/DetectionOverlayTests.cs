using MaskRcnn.Data;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Keypoints;
using MaskRcnn.Structures.Masks;
using MaskRcnn.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Visualization;

/// <summary>Overlays keep the image's size, tint mask pixels with the instance's palette colour, leave the rest alone,
/// and are written as PNG or JPEG by extension.</summary>
public class DetectionOverlayTests
{
    static (Tensor Image, BoxList Detections) Scene(int height = 64, int width = 80)
    {
        var image = torch.full(3, height, width, 101, ScalarType.Byte);
        var masks = torch.zeros(2, height, width, ScalarType.Bool);
        // Masks low in their boxes, clear of the labels at the boxes' tops.
        masks[0, 30..41, 12..22] = torch.tensor(true);
        masks[1, 35..51, 15..31] = torch.tensor(true);
        var detections = new BoxList(torch.tensor(new float[] { 10, 10, 40, 50, 14, 14, 31, 55 }, [2, 4]), new ImageSize(height, width))
            .With(BoxFields.Labels, torch.tensor(new long[] { 1, 2 }))
            .With(BoxFields.Scores, torch.tensor(new float[] { 0.9f, 0.8f }))
            .With(BoxFields.Masks, new BitMasks(masks));
        return (image, detections);
    }

    static byte[] Pixel(SkiaSharp.SKBitmap bitmap, int x, int y) { var c = bitmap.GetPixel(x, y); return [c.Red, c.Green, c.Blue]; }

    [Fact]
    public void MasksAreTintedWithTheirInstancesColour()
    {
        var (image, detections) = Scene();
        using var bitmap = DetectionOverlay.Draw(image, detections, label => $"class {label}");
        Assert.Equal((80, 64), (bitmap.Width, bitmap.Height));
        // 101 blended with palette 0 (230, 25, 75) at 0.45: 159.05, 66.8, 89.3.
        Assert.Equal(new byte[] { 159, 67, 89 }, Pixel(bitmap, 18, 33));
        // Where both masks are, the first instance's colour; where only the second, palette 1 (60, 180, 75): 82.55, 136.55, 89.3.
        Assert.Equal(new byte[] { 159, 67, 89 }, Pixel(bitmap, 20, 38));
        Assert.Equal(new byte[] { 83, 137, 89 }, Pixel(bitmap, 25, 45));
        Assert.Equal(new byte[] { 101, 101, 101 }, Pixel(bitmap, 70, 60)); // nothing drawn here
        Assert.NotEqual(new byte[] { 101, 101, 101 }, Pixel(bitmap, 40, 45)); // on the first box's right edge
    }

    [Fact]
    public void WritesPngOrJpegByExtensionAtTheImagesSize()
    {
        using var dir = new TempDir();
        var (image, detections) = Scene(48, 96);
        foreach (var name in new[] { "a.png", "b.jpg", "c.JPEG", "d.bmp" })
        {
            var path = Path.Combine(dir.Path, name);
            DetectionOverlay.Write(path, image, detections, label => $"class {label}");
            var bytes = File.ReadAllBytes(path);
            bool jpeg = name.EndsWith(".jpg") || name.EndsWith(".JPEG");
            Assert.Equal(jpeg ? new byte[] { 0xFF, 0xD8 } : new byte[] { 0x89, 0x50 }, bytes[..2]);
            Assert.Equal(new long[] { 3, 48, 96 }, ImageDecoder.Decode(path, int.MaxValue).shape);
        }
    }

    [Fact]
    public void NoDetectionsLeaveTheImageAndLargeImagesDraw()
    {
        var (image, detections) = Scene();
        using (var plain = DetectionOverlay.Draw(image, detections.Select(torch.tensor(Array.Empty<long>())), label => "x"))
            Assert.Equal(new byte[] { 101, 101, 101 }, Pixel(plain, 18, 33));
        // A 2000 px photo: lines and labels scale up, nothing fails.
        var (big, bigDetections) = Scene(1500, 2000);
        using var drawn = DetectionOverlay.Draw(big, bigDetections, label => "a long class name");
        Assert.Equal((2000, 1500), (drawn.Width, drawn.Height));
        Assert.Throws<ArgumentException>(() => DetectionOverlay.Draw(image, bigDetections, label => "x"));
    }

    /// <summary>A 600 px black image (2 px lines) with one person whose shoulders are at (200, 200) and (400, 200), scored
    /// as given, and every other keypoint at (300, 400) scoring 0.</summary>
    static SkiaSharp.SKBitmap Person(float leftShoulderScore, float rightShoulderScore)
    {
        var image = torch.zeros(3, 600, 600, ScalarType.Byte);
        var points = new float[17 * 3];
        var scores = new float[17];
        for (int j = 0; j < 17; j++) (points[3 * j], points[3 * j + 1], points[3 * j + 2]) = (300, 400, 1);
        int left = PersonKeypoints.Names.ToList().IndexOf("left_shoulder"), right = PersonKeypoints.Names.ToList().IndexOf("right_shoulder");
        (points[3 * left], points[3 * left + 1], scores[left]) = (200, 200, leftShoulderScore);
        (points[3 * right], points[3 * right + 1], scores[right]) = (400, 200, rightShoulderScore);
        var detections = new BoxList(torch.tensor(new float[] { 100, 100, 500, 560 }, [1, 4]), new ImageSize(600, 600))
            .With(BoxFields.Labels, torch.tensor(new long[] { 1 }))
            .With(BoxFields.Scores, torch.tensor(new float[] { 0.9f }))
            .With(BoxFields.Keypoints, new PersonKeypoints(torch.tensor(points, [1, 17, 3]), new ImageSize(600, 600)))
            .With(BoxFields.KeypointScores, torch.tensor(scores, [1, 17]));
        return DetectionOverlay.Draw(image, detections, label => "person");
    }

    [Fact]
    public void SkeletonLimbsAndDotsAreDrawnAboveTheLogitThreshold()
    {
        var colour = new byte[] { 230, 25, 75 }; // palette 0
        var black = new byte[] { 0, 0, 0 };
        using (var both = Person(5, 2.5f))
        {
            Assert.Equal(colour, Pixel(both, 300, 200)); // mid-limb: shoulder to shoulder is one of COCO's limbs
            Assert.Equal(colour, Pixel(both, 300, 199)); // 2 px wide
            Assert.Equal(colour, Pixel(both, 400, 201)); // the right shoulder's dot (radius 3) below the line
            Assert.Equal(black, Pixel(both, 300, 400)); // the other keypoints score 0: no dots, no limbs
            Assert.Equal(black, Pixel(both, 300, 300));
        }
        // maskrcnn-benchmark's demo rule: a limb needs both ends above 2 (logits), a dot its own.
        using (var one = Person(5, 1.9f))
        {
            Assert.Equal(black, Pixel(one, 300, 200));
            Assert.Equal(colour, Pixel(one, 200, 200));
            Assert.Equal(black, Pixel(one, 400, 200));
        }
        using (var none = Person(2, 2))
        {
            Assert.Equal(black, Pixel(none, 300, 200));
            Assert.Equal(black, Pixel(none, 200, 200));
        }
    }
}
