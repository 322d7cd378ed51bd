using MaskRcnn.Data.Transforms;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using TorchSharp;

namespace MaskRcnn.Tests.Data;

public class ResizeRuleTests
{
    [Theory]
    [InlineData(640, 480, 800, 1333, 1066, 800)]    // short side to 800, long side int(800·640/480)
    [InlineData(480, 640, 800, 1333, 800, 1066)]    // portrait
    [InlineData(1000, 200, 800, 1333, 1335, 267)]   // capped: short side round(1333·200/1000) = 267, long int(267·5)
    [InlineData(800, 600, 600, 1000, 800, 600)]     // already the right size: unchanged
    [InlineData(300, 200, 128, 0, 192, 128)]        // no cap
    public void MaskrcnnBenchmarkGetSize(int w, int h, int min, int max, int ew, int eh) =>
        Assert.Equal(new ImageSize(eh, ew), new ResizeRule([min], max).TargetSize(new ImageSize(h, w), min));

    [Fact]
    public void MultiScaleChoosesAmongTheMinSizes()
    {
        var rule = new ResizeRule([100, 200, 300], 10000);
        var rng = new Random(1);
        var seen = Enumerable.Range(0, 60).Select(_ => rule.TargetSize(new ImageSize(50, 50), rng).Height).ToHashSet();
        Assert.Equal(new HashSet<int> { 100, 200, 300 }, seen);
    }
}

public class SquashResizeTests
{
    [Theory]
    [InlineData(640, 480)]
    [InlineData(480, 640)]
    [InlineData(550, 550)]
    [InlineData(3, 1000)]
    public void EveryImageBecomesTheSquareAspectRatioNotKept(int w, int h)
    {
        var rule = new SquashResize(550);
        Assert.Equal(new ImageSize(550, 550), rule.TargetSize(new ImageSize(h, w), new Random(1)));
        Assert.False(rule.Antialias);
    }

    [Fact]
    public void SizeMustBePositive() => Assert.Throws<ArgumentOutOfRangeException>(() => new SquashResize(0));
}

public class ImageNormalizerTests
{
    [Fact]
    public void Bgr255WithCaffeMeans()
    {
        var rgb = torch.tensor(new float[] { 1f, 0.5f, 0f }, [3, 1, 1]);
        var normalizer = new ImageNormalizer(true, [102.9801, 115.9465, 122.7717], [1, 1, 1]);
        // B = 0·255 − 102.98, G = 127.5 − 115.95, R = 255 − 122.77.
        TensorAssert.Close(torch.tensor(new float[] { -102.9801f, 11.5535f, 132.2283f }, [3, 1, 1]), normalizer.Apply(rgb), atol: 1e-4);
        TensorAssert.Close(rgb, normalizer.Invert(normalizer.Apply(rgb)), atol: 1e-5);
    }

    [Fact]
    public void RgbWithImagenetStatistics()
    {
        var rgb = torch.tensor(new float[] { 0.485f, 0.456f + 0.224f, 0.406f - 0.225f }, [3, 1, 1]);
        var normalizer = new ImageNormalizer(false, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]);
        TensorAssert.Close(torch.tensor(new float[] { 0, 1, -1 }, [3, 1, 1]), normalizer.Apply(rgb), atol: 1e-5);
    }
}

public class DetectionTransformTests
{
    static readonly ImageNormalizer Identity = new(false, [0, 0, 0], [1, 1, 1]);

    [Fact]
    public void ResizeAndFlipMoveBoxesAndMasksWithThePixels()
    {
        // A 20-wide, 10-high image with a bright 4×4 block at x 2..5, y 3..6, and its box and mask.
        var image = torch.zeros([3, 10, 20], torch.ScalarType.Byte);
        image[.., 3..7, 2..6] = torch.tensor((byte)255);
        var masks = new PolygonMasks([[new double[] { 2, 3, 6, 3, 6, 7, 2, 7 }]], 10, 20);
        var target = new BoxList(torch.tensor(new float[] { 2, 3, 6, 7 }, [1, 4]), new ImageSize(10, 20)).With(BoxFields.Masks, masks);
        var transform = new DetectionTransform(new ResizeRule([20], 0), horizontalFlip: 1.0, verticalFlip: 0, new ColorJitter(0, 0, 0, 0), Identity);
        var (output, moved) = transform.Apply(image, target, new Random(0));
        Assert.Equal(new long[] { 3, 20, 40 }, output.shape);
        // Doubled and mirrored: the block now spans x 28..36, y 6..14.
        TensorAssert.Close(torch.tensor(new float[] { 28, 6, 36, 14 }, [1, 4]), moved!.Boxes);
        Assert.True(output[0, 10, 32].item<float>() > 0.99f && output[0, 10, 8].item<float>() < 0.01f);
        var mask = moved.Field<IInstanceMasks>(BoxFields.Masks).ToTensor();
        Assert.True(mask[0, 10, 32].item<bool>() && !mask[0, 10, 8].item<bool>());
    }

    [Fact]
    public void SquashScalesBoxesAndMasksByXAndYIndependently()
    {
        // 10 high, 20 wide, squashed to 8×8: x × 0.4, y × 0.8. A box and polygon at x 5..15, y 5..10.
        var image = torch.zeros([3, 10, 20], torch.ScalarType.Byte);
        var masks = new PolygonMasks([[new double[] { 5, 5, 15, 5, 15, 10, 5, 10 }]], 10, 20);
        var target = new BoxList(torch.tensor(new float[] { 5, 5, 15, 10 }, [1, 4]), new ImageSize(10, 20)).With(BoxFields.Masks, masks);
        var transform = new DetectionTransform(new SquashResize(8), 0, 0, new ColorJitter(0, 0, 0, 0), Identity);
        var (output, moved) = transform.Apply(image, target, new Random(0));
        Assert.Equal(new long[] { 3, 8, 8 }, output.shape);
        Assert.Equal(new ImageSize(8, 8), moved!.Size);
        TensorAssert.Close(torch.tensor(new float[] { 2, 4, 6, 8 }, [1, 4]), moved.Boxes);
        var polygon = moved.Field<PolygonMasks>(BoxFields.Masks);
        Assert.Equal((8, 8), (polygon.Height, polygon.Width));
        // The mask covers exactly the pixels of x 2..5, y 4..7.
        var expected = torch.zeros([1, 8, 8], torch.ScalarType.Bool);
        expected[.., 4..8, 2..6] = torch.tensor(true);
        TensorAssert.Equal(expected, polygon.ToTensor());
    }

    [Fact]
    public void SquashSamplesBilinearlyWithoutAntialiasing()
    {
        // 8×8 → 2×2: output pixel (0,0) samples the source at (1.5, 1.5), the centre of the lit 2×2 block at rows and
        // columns 1..2, so it is fully lit; an antialiased (PIL-like) resize would average in the dark pixels around it.
        var image = torch.zeros([3, 8, 8], torch.ScalarType.Byte);
        image[.., 1..3, 1..3] = torch.tensor((byte)255);
        var squash = new DetectionTransform(new SquashResize(2), 0, 0, new ColorJitter(0, 0, 0, 0), Identity);
        var output = squash.Apply(image, null, new Random(0)).Image;
        var expected = torch.zeros([3, 2, 2]);
        expected[.., 0, 0] = torch.tensor(1f);
        TensorAssert.Close(expected, output);
        var antialiased = new DetectionTransform(new ResizeRule([2], 0), 0, 0, new ColorJitter(0, 0, 0, 0), Identity).Apply(image, null, new Random(0)).Image;
        Assert.True(antialiased[0, 0, 0].item<float>() < 0.9f, "the short-side rule keeps filtering when it shrinks");
    }

    [Fact]
    public void SquashSizeReplacesTheMinMaxRuleInTrainingAndTesting()
    {
        var cfg = new MaskRcnn.Config.MaskRcnnConfig();
        Assert.IsType<ResizeRule>(DetectionTransform.ForTraining(cfg).Resize);
        Assert.IsType<ResizeRule>(DetectionTransform.ForTesting(cfg).Resize);
        cfg.Input.SquashSize = 48;
        var image = torch.zeros([3, 30, 70], torch.ScalarType.Byte);
        foreach (var transform in new[] { DetectionTransform.ForTraining(cfg), DetectionTransform.ForTesting(cfg) })
        {
            Assert.Equal(new SquashResize(48), transform.Resize);
            Assert.Equal(new long[] { 3, 48, 48 }, transform.Apply(image, null, new Random(3)).Image.shape);
        }
    }

    [Fact]
    public void SameRandomSameAugmentation()
    {
        var image = torch.randint(0, 255, [3, 30, 40], torch.ScalarType.Byte);
        var transform = new DetectionTransform(new ResizeRule([20, 30, 40], 100), 0.5, 0.5, new ColorJitter(0.4, 0.4, 0.4, 0.1), Identity);
        var a = transform.Apply(image, null, new Random(9)).Image;
        var b = transform.Apply(image, null, new Random(9)).Image;
        TensorAssert.Equal(a, b);
    }
}

public class ColorJitterTests
{
    [Fact]
    public void ZeroJitterIsIdentity()
    {
        var rgb = torch.rand(3, 4, 4);
        TensorAssert.Equal(rgb, new ColorJitter(0, 0, 0, 0).Apply(rgb, new Random(1)));
    }

    [Fact]
    public void BrightnessScalesWithinItsRange()
    {
        var rgb = torch.full([3, 2, 2], 0.5f);
        for (int seed = 0; seed < 20; seed++)
        {
            var v = new ColorJitter(0.2, 0, 0, 0).Apply(rgb, new Random(seed))[0, 0, 0].item<float>();
            Assert.InRange(v, 0.5f * 0.8f - 1e-6f, 0.5f * 1.2f + 1e-6f);
        }
    }

    [Fact]
    public void HueShiftRotatesColours()
    {
        // A third of a turn: red → green → blue; a sixth: red → yellow. Value and saturation are kept.
        var red = torch.tensor(new float[] { 0.8f, 0f, 0f }, [3, 1, 1]);
        TensorAssert.Close(torch.tensor(new float[] { 0f, 0.8f, 0f }, [3, 1, 1]), ColorJitter.ShiftHue(red, 1.0 / 3), atol: 1e-5);
        TensorAssert.Close(torch.tensor(new float[] { 0f, 0f, 0.8f }, [3, 1, 1]), ColorJitter.ShiftHue(red, 2.0 / 3), atol: 1e-5);
        TensorAssert.Close(torch.tensor(new float[] { 0.8f, 0.8f, 0f }, [3, 1, 1]), ColorJitter.ShiftHue(red, 1.0 / 6), atol: 1e-5);
        var grey = torch.full([3, 1, 1], 0.4f);
        TensorAssert.Close(grey, ColorJitter.ShiftHue(grey, 0.3), atol: 1e-6);
    }
}
