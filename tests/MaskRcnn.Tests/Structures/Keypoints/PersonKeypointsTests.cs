using MaskRcnn.Structures;
using MaskRcnn.Structures.Keypoints;
using TorchSharp;

namespace MaskRcnn.Tests.Structures.Keypoints;

/// <summary>Person keypoints follow their image: mirrors swap left and right (COCO's flip map) and keep unlabelled
/// keypoints at (0, 0, 0); resizing scales x and y apart; selection and crops keep the right instances.</summary>
public class PersonKeypointsTests
{
    static readonly ImageSize Size = new(50, 100); // height 50, width 100

    /// <summary>One person: keypoint k at (10 + k, 20 + k), visibility 2, except the left eye (1), unlabelled.</summary>
    static PersonKeypoints One()
    {
        var values = new double[51];
        for (int k = 0; k < 17; k++) (values[3 * k], values[3 * k + 1], values[3 * k + 2]) = k == 1 ? (0, 0, 0) : (10 + k, 20 + k, 2);
        return PersonKeypoints.FromCoco([values], Size);
    }

    static float[] Row(PersonKeypoints p, int k) => p.Tensor[0, k].data<float>().ToArray();

    [Fact]
    public void TheFlipMapSwapsLeftAndRightAndKeepsTheNose()
    {
        Assert.Equal([0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15], PersonKeypoints.FlipIndices);
    }

    [Fact]
    public void AHorizontalMirrorSwapsSidesAndMapsXToWidthMinusX()
    {
        var flipped = (PersonKeypoints)One().FlipHorizontal();
        Assert.Equal([100f - 10, 20, 2], Row(flipped, 0));        // nose stays the nose
        Assert.Equal([100f - 13, 23, 2], Row(flipped, 4));        // right ear ← left ear (3)
        Assert.Equal([100f - 14, 24, 2], Row(flipped, 3));        // left ear ← right ear (4)
        Assert.Equal([0f, 0, 0], Row(flipped, 2));                // right eye ← the unlabelled left eye: still (0, 0, 0)
        Assert.Equal([100f - 12, 22, 2], Row(flipped, 1));        // left eye ← right eye (2)
        var twice = (PersonKeypoints)flipped.FlipHorizontal();
        Assert.Equal(One().Tensor.data<float>().ToArray(), twice.Tensor.data<float>().ToArray());
    }

    [Fact]
    public void AVerticalMirrorSwapsSidesAndMapsYToHeightMinusY()
    {
        var flipped = (PersonKeypoints)One().FlipVertical();
        Assert.Equal([13f, 50 - 23, 2], Row(flipped, 4));
        Assert.Equal([0f, 0, 0], Row(flipped, 2));
    }

    [Fact]
    public void ResizeScalesXAndYApartAndKeepsVisibility()
    {
        var resized = (PersonKeypoints)One().Resize(new ImageSize(100, 50)); // height ×2, width ×0.5
        Assert.Equal([8f, 52, 2], Row(resized, 6)); // (16, 26)
        Assert.Equal(new ImageSize(100, 50), resized.Size);
    }

    [Fact]
    public void CropShiftsAndUnlabelsWhatFallsOutside()
    {
        var cropped = (PersonKeypoints)One().Crop(15, 0, 100, 50);
        Assert.Equal([0f, 0, 0], Row(cropped, 4));  // x 14 < 15
        Assert.Equal([0f, 25, 2], Row(cropped, 5)); // x 15 → 0
    }

    [Fact]
    public void BoxListSelectionAndFlipCarryTheField()
    {
        var a = One();
        var two = new PersonKeypoints(torch.cat([a.Tensor, a.Tensor + 1], 0), Size);
        var boxes = new BoxList(torch.tensor(new float[] { 0, 0, 10, 10, 5, 5, 20, 20 }, [2, 4]), Size).With(BoxFields.Keypoints, two);
        var second = boxes.Select(torch.tensor(new long[] { 1 })).FlipHorizontal().Field<PersonKeypoints>(BoxFields.Keypoints);
        Assert.Equal(1, second.Count);
        Assert.Equal([100f - 11, 21, 3], second.Tensor[0, 0].data<float>().ToArray());
    }

    [Fact]
    public void WrongShapesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => new PersonKeypoints(torch.zeros(2, 16, 3), Size));
        Assert.Throws<ArgumentException>(() => PersonKeypoints.FromCoco([new double[48]], Size));
    }

    [Fact]
    public void TheSkeletonIsCocosNineteenLimbs()
    {
        // The person category's "skeleton" of COCO's person_keypoints_val2017.json, 1-based.
        int[][] coco = [[16, 14], [14, 12], [17, 15], [15, 13], [12, 13], [6, 12], [7, 13], [6, 7], [6, 8], [7, 9], [8, 10], [9, 11],
                        [2, 3], [1, 2], [1, 3], [2, 4], [3, 5], [4, 6], [5, 7]];
        Assert.Equal(coco.Select(e => (e[0], e[1])), PersonKeypoints.SkeletonOneBased);
        Assert.Equal(19, PersonKeypoints.Skeleton.Count);
        var names = PersonKeypoints.Names;
        Assert.Contains(PersonKeypoints.Skeleton, e => names[e.From] == "left_ankle" && names[e.To] == "left_knee");
        Assert.Contains(PersonKeypoints.Skeleton, e => names[e.From] == "left_shoulder" && names[e.To] == "right_shoulder");
    }
}
