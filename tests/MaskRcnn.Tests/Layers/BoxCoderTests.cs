using MaskRcnn.Layers;
using TorchSharp;

namespace MaskRcnn.Tests.Layers;

public class BoxCoderTests
{
    public static TheoryData<string> Cases() => ["weights=10,10,5,5", "weights=1,1,1,1"];

    static (BoxCoder Coder, FixtureCase Case) Load(string name)
    {
        var c = TensorFixture.Load("ops/box_coder.json")[name];
        var w = c.Param("weights").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        return (new BoxCoder(w, c.Double("clip")), c);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EncodeMatchesTorchvision(string name)
    {
        var (coder, c) = Load(name);
        TensorAssert.Close(c.Tensor("encoded"), coder.Encode(c.Tensor("gt"), c.Tensor("proposals")), rtol: 1e-5, atol: 1e-5);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DecodeMatchesTorchvisionIncludingTheClamp(string name)
    {
        var (coder, c) = Load(name);
        TensorAssert.Close(c.Tensor("decoded"), coder.Decode(c.Tensor("deltas"), c.Tensor("proposals")), rtol: 1e-5, atol: 1e-4);
    }

    [Fact]
    public void DecodeUndoesEncode()
    {
        var coder = new BoxCoder(10, 10, 5, 5);
        var reference = torch.tensor(new float[] { 0, 0, 10, 20, 5, 5, 7, 9 }, [2, 4]);
        var target = torch.tensor(new float[] { 1, 2, 12, 18, 4, 6, 8, 8 }, [2, 4]);
        TensorAssert.Close(target, coder.Decode(coder.Encode(target, reference), reference), atol: 1e-5);
    }

    [Fact]
    public void DecodeHandlesPerClassDeltas()
    {
        // Two classes: zero deltas reproduce the reference box for each.
        var coder = new BoxCoder(1, 1, 1, 1);
        var reference = torch.tensor(new float[] { 2, 4, 6, 12 }, [1, 4]);
        var decoded = coder.Decode(torch.zeros(1, 8), reference);
        TensorAssert.Close(torch.tensor(new float[] { 2, 4, 6, 12, 2, 4, 6, 12 }, [1, 8]), decoded);
    }
}
