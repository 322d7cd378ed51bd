using MaskRcnn.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Layers;

public class BoxOpsTests
{
    static readonly FixtureCase Reference = TensorFixture.Load("ops/box_iou.json")["random"];

    [Fact]
    public void IouMatchesTorchvision() =>
        TensorAssert.Close(Reference.Tensor("iou"), BoxOps.Iou(Reference.Tensor("boxes1"), Reference.Tensor("boxes2")), what: "iou");

    [Fact]
    public void AreaMatchesTorchvision() =>
        TensorAssert.Close(Reference.Tensor("area1"), BoxOps.Area(Reference.Tensor("boxes1")), what: "area");

    [Fact]
    public void GeneralizedIouMatchesTorchvision() =>
        TensorAssert.Close(Reference.Tensor("giou"), BoxOps.GeneralizedIou(Reference.Tensor("boxes1"), Reference.Tensor("boxes2")), what: "giou");

    [Fact]
    public void HandComputedIou()
    {
        // [0,0,2,2] and [1,1,3,3]: intersection 1, union 4 + 4 − 1 = 7. No "+1" anywhere.
        var a = torch.tensor(new float[] { 0, 0, 2, 2 }, [1, 4]);
        var b = torch.tensor(new float[] { 1, 1, 3, 3, 5, 5, 6, 6 }, [2, 4]);
        TensorAssert.Close(torch.tensor(new float[] { 1f / 7, 0 }, [1, 2]), BoxOps.Iou(a, b));
        // GIoU of the disjoint pair: hull [0,0,6,6] = 36, union 5: 0 − 31/36.
        TensorAssert.Close(torch.tensor(new float[] { 1f / 7 - (9f - 7f) / 9f, -31f / 36 }, [1, 2]), BoxOps.GeneralizedIou(a, b));
    }

    [Fact]
    public void ClipClampsToTheImageEdgesNotOnePixelInside()
    {
        var boxes = torch.tensor(new float[] { -5, -1, 30, 12, 3, 4, 5, 6 }, [2, 4]);
        TensorAssert.Equal(torch.tensor(new float[] { 0, 0, 20, 10, 3, 4, 5, 6 }, [2, 4]), BoxOps.Clip(boxes, height: 10, width: 20));
    }

    [Fact]
    public void NonSmallKeepsBoxesAtLeastMinSize()
    {
        var boxes = torch.tensor(new float[] { 0, 0, 1, 1, 0, 0, 0.5f, 3, 0, 0, 2, 0.99f, 1, 1, 3, 3 }, [4, 4]);
        Assert.Equal(new long[] { 0, 3 }, BoxOps.NonSmall(boxes, 1.0).data<long>().ToArray());
    }

    [Fact]
    public void XywhRoundTrip()
    {
        var xyxy = torch.tensor(new float[] { 1, 2, 4, 8 }, [1, 4]);
        TensorAssert.Equal(torch.tensor(new float[] { 1, 2, 3, 6 }, [1, 4]), BoxOps.XyxyToXywh(xyxy));
        TensorAssert.Equal(xyxy, BoxOps.XywhToXyxy(BoxOps.XyxyToXywh(xyxy)));
    }
}
