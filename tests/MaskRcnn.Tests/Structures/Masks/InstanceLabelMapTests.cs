using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Structures.Masks;

public class InstanceLabelMapTests
{
    [Fact]
    public void EarlierInstancesOwnTheOverlap()
    {
        var masks = torch.zeros(3, 2, 4, ScalarType.Bool);
        masks[0, 0, ..2] = torch.tensor(true);   // row 0, columns 0-1
        masks[1, .., 1..3] = torch.tensor(true); // columns 1-2, both rows: overlaps instance 1 at (0, 1)
        masks[2, 1, ..] = torch.tensor(true);    // row 1: overlaps instance 2 at (1, 1), (1, 2)
        var map = InstanceLabelMap.Of(new BitMasks(masks));
        Assert.Equal(ScalarType.Int32, map.dtype);
        TensorAssert.Equal(torch.tensor(new[] { 1, 1, 2, 0, 3, 2, 2, 3 }, [2, 4]), map);
        TensorAssert.Equal(torch.zeros(2, 4, ScalarType.Int32), InstanceLabelMap.Of(new BitMasks(torch.zeros(0, 2, 4, ScalarType.Bool))));
    }
}
