using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Structures;

public class BoxListTests
{
    static BoxList Sample() => new BoxList(torch.tensor(new float[] { 10, 20, 30, 60, 0, 0, 100, 50, 95, 45, 120, 70 }, [3, 4]), new ImageSize(80, 100))
        .With(BoxFields.Labels, torch.tensor(new long[] { 1, 2, 3 }))
        .With(BoxFields.Scores, torch.tensor(new float[] { 0.9f, 0.5f, 0.7f }));

    [Fact]
    public void SelectCarriesFields()
    {
        var picked = Sample().Select(torch.tensor(new long[] { 2, 0 }));
        Assert.Equal(2, picked.Count);
        Assert.Equal(new long[] { 3, 1 }, picked.Field(BoxFields.Labels).data<long>().ToArray());
        TensorAssert.Equal(torch.tensor(new float[] { 95, 45, 120, 70, 10, 20, 30, 60 }, [2, 4]), picked.Boxes);
        var masked = Sample().Select(torch.tensor(new[] { true, false, true }));
        Assert.Equal(new[] { 0.9f, 0.7f }, masked.Field(BoxFields.Scores).data<float>().ToArray());
    }

    [Fact]
    public void ResizeScalesXAndYSeparately()
    {
        var resized = Sample().Resize(new ImageSize(160, 50));
        Assert.Equal(new ImageSize(160, 50), resized.Size);
        TensorAssert.Close(torch.tensor(new float[] { 5, 40, 15, 120, 0, 0, 50, 100, 47.5f, 90, 60, 140 }, [3, 4]), resized.Boxes);
    }

    [Fact]
    public void FlipMirrorsAboutTheImageWidthWithoutPlusOne()
    {
        var flipped = Sample().FlipHorizontal();
        TensorAssert.Equal(torch.tensor(new float[] { 70, 20, 90, 60, 0, 0, 100, 50, -20, 45, 5, 70 }, [3, 4]), flipped.Boxes);
        TensorAssert.Equal(Sample().Boxes, flipped.FlipHorizontal().Boxes);
        TensorAssert.Equal(torch.tensor(new float[] { 10, 20, 30, 60, 0, 30, 100, 80, 95, 10, 120, 35 }, [3, 4]), Sample().FlipVertical().Boxes);
    }

    [Fact]
    public void CropShiftsAndClamps()
    {
        var cropped = Sample().Crop(20, 10, 70, 50);
        Assert.Equal(new ImageSize(40, 50), cropped.Size);
        TensorAssert.Equal(torch.tensor(new float[] { 0, 10, 10, 40, 0, 0, 50, 40, 50, 35, 50, 40 }, [3, 4]), cropped.Boxes);
    }

    [Fact]
    public void ClipAndRemoveEmpty()
    {
        var list = new BoxList(torch.tensor(new float[] { -10, -10, -1, 5, 10, 10, 200, 90 }, [2, 4]), new ImageSize(80, 100));
        TensorAssert.Equal(torch.tensor(new float[] { 0, 0, 0, 5, 10, 10, 100, 80 }, [2, 4]), list.Clip().Boxes);
        Assert.Equal(1, list.Clip(removeEmpty: true).Count);
    }

    [Fact]
    public void RemoveSmallAndArea()
    {
        var list = Sample();
        TensorAssert.Equal(torch.tensor(new float[] { 800, 5000, 625 }), list.Area());
        Assert.Equal(new long[] { 2, 3 }, list.RemoveSmall(25).Field(BoxFields.Labels).data<long>().ToArray());
    }

    [Fact]
    public void CatJoinsListsOfTheSameImage()
    {
        var joined = BoxList.Cat([Sample(), Sample().Select(torch.tensor(new long[] { 1 }))]);
        Assert.Equal(4, joined.Count);
        Assert.Equal(new long[] { 1, 2, 3, 2 }, joined.Field(BoxFields.Labels).data<long>().ToArray());
        Assert.Throws<ArgumentException>(() => BoxList.Cat([Sample(), new BoxList(torch.zeros(1, 4), new ImageSize(1, 1))]));
    }

    [Fact]
    public void XywhConversion()
    {
        var list = BoxList.FromXywh(torch.tensor(new float[] { 10, 20, 5, 6 }, [1, 4]), new ImageSize(50, 50));
        TensorAssert.Equal(torch.tensor(new float[] { 10, 20, 15, 26 }, [1, 4]), list.Boxes);
        TensorAssert.Equal(torch.tensor(new float[] { 10, 20, 5, 6 }, [1, 4]), list.ToXywh());
    }

    [Fact]
    public void FieldErrorsNameTheField()
    {
        Assert.Contains("'scores'", Assert.Throws<KeyNotFoundException>(() => new BoxList(torch.zeros(1, 4), new ImageSize(1, 1)).Field("scores")).Message);
        Assert.Throws<ArgumentException>(() => Sample().With(BoxFields.Labels, torch.zeros(2)));
        Assert.Throws<ArgumentException>(() => new BoxList(torch.zeros(3, 5), new ImageSize(1, 1)));
    }
}

public class ImageListTests
{
    [Fact]
    public void PadsBottomRightToTheDivisibility()
    {
        var a = torch.ones(3, 30, 45);
        var b = torch.full([3, 50, 20], 2f);
        var batch = ImageList.FromImages([a, b], sizeDivisibility: 32);
        Assert.Equal(new long[] { 2, 3, 64, 64 }, batch.Tensor.shape);
        Assert.Equal([new ImageSize(30, 45), new ImageSize(50, 20)], batch.Sizes);
        Assert.Equal(30 * 45 * 3, batch.Tensor[0].sum().item<float>());
        Assert.Equal(50 * 20 * 3 * 2, batch.Tensor[1].sum().item<float>());
        Assert.Equal(2f, batch.Tensor[1, 0, 49, 19].item<float>());
        Assert.Equal(0f, batch.Tensor[1, 0, 50, 19].item<float>());
    }

    [Fact]
    public void NoDivisibilityPadsToTheLargest()
    {
        var batch = ImageList.FromImages([torch.ones(3, 7, 9), torch.ones(3, 8, 5)]);
        Assert.Equal(new long[] { 2, 3, 8, 9 }, batch.Tensor.shape);
    }
}

public class BoxListMaskFieldTests
{
    // A square covering pixel centres 2.5..5.5 (pixels 2..5) and a triangle, on a 10-high, 20-wide image. No vertex lies on
    // a pixel centre's column or row, so the rasterization is the same whichever way the image is mirrored.
    static BoxList WithMasks(bool asBitmaps)
    {
        var polygons = new PolygonMasks([[new double[] { 2.2, 2.2, 5.8, 2.2, 5.8, 5.8, 2.2, 5.8 }], [new double[] { 10.1, 1.2, 16.3, 1.2, 10.1, 7.4 }]], 10, 20);
        IInstanceMasks masks = asBitmaps ? new BitMasks(polygons.ToTensor()) : polygons;
        return new BoxList(torch.tensor(new float[] { 2, 2, 6, 6, 10, 1, 16, 7 }, [2, 4]), new ImageSize(10, 20))
            .With(BoxFields.Masks, masks);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MasksFollowSelectFlipAndResize(bool asBitmaps)
    {
        var list = WithMasks(asBitmaps);
        var original = list.Field<IInstanceMasks>(BoxFields.Masks).ToTensor();

        var picked = list.Select(torch.tensor(new long[] { 1 }));
        TensorAssert.Equal(original[1..2], picked.Field<IInstanceMasks>(BoxFields.Masks).ToTensor());

        // Flipping left-right mirrors the mask columns exactly (the square's pixels 2..5 become 14..17).
        var flipped = list.FlipHorizontal().Field<IInstanceMasks>(BoxFields.Masks).ToTensor();
        TensorAssert.Equal(original.flip(2), flipped);
        TensorAssert.Equal(original.flip(1), list.FlipVertical().Field<IInstanceMasks>(BoxFields.Masks).ToTensor());

        var resized = list.Resize(new ImageSize(20, 40)).Field<IInstanceMasks>(BoxFields.Masks);
        Assert.Equal((20, 40), (resized.Height, resized.Width));
        Assert.Equal(16 * 4, resized.ToTensor()[0].sum().item<long>()); // the 4×4 square becomes 8×8

        var cropped = list.Crop(1, 1, 9, 9).Field<IInstanceMasks>(BoxFields.Masks);
        Assert.Equal((8, 8), (cropped.Height, cropped.Width));
        TensorAssert.Equal(original[0, 1..9, 1..9], cropped.ToTensor()[0]);
    }
}
