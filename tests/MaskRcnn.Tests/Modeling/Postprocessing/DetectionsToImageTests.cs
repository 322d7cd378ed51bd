using MaskRcnn.Modeling.Postprocessing;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using TorchSharp;

namespace MaskRcnn.Tests.Modeling.Postprocessing;

/// <summary>Detections on a squashed input (INPUT.SQUASH_SIZE) go back to an original of another aspect ratio: x and y
/// scale independently, for boxes and pasted masks alike.</summary>
public sealed class DetectionsToImageTests
{
    [Fact]
    public void ASquashedInputMapsBackWithSeparateXAndYScales()
    {
        // Network input 8×8, original 16 high and 32 wide: x × 4, y × 2. A box at x 1..3, y 1..5 with a mask of ones.
        var detections = new BoxList(torch.tensor(new float[] { 1, 1, 3, 5 }, [1, 4]), new ImageSize(8, 8))
            .With(BoxFields.Scores, torch.tensor(new float[] { 0.9f }))
            .With(BoxFields.MaskProbabilities, torch.ones(1, 1, 28, 28));
        var mapped = new DetectionsToImage(maskThreshold: 0.5).Apply(detections, new ImageSize(16, 32));
        Assert.Equal(new ImageSize(16, 32), mapped.Size);
        TensorAssert.Close(torch.tensor(new float[] { 4, 2, 12, 10 }, [1, 4]), mapped.Boxes);
        // The mask of ones fills the mapped box grown by the paster's one-pixel padding (a 28→30 grid: x 3.71..12.29,
        // y 1.71..10.29, truncated to whole pixels and taken inclusive, as maskrcnn-benchmark's Masker): columns 3..12,
        // rows 1..10. One scale for both axes would have put it elsewhere.
        var expected = torch.zeros([1, 16, 32], torch.ScalarType.Bool);
        expected[.., 1..11, 3..13] = torch.tensor(true);
        TensorAssert.Equal(expected, mapped.Field<BitMasks>(BoxFields.Masks).Tensor);
    }
}
