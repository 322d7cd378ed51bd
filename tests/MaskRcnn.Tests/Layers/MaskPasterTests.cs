using MaskRcnn.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Layers;

public class MaskPasterTests
{
    static readonly TensorFixture Reference = TensorFixture.Load("ops/paste_masks.json");

    public static TheoryData<ComputePath> Paths() => [ComputePath.CpuKernel, ComputePath.TensorOps];

    [Theory]
    [MemberData(nameof(Paths))]
    public void PastesAsTorchvision(ComputePath path)
    {
        using var scope = torch.NewDisposeScope();
        var c = Reference["random"];
        var size = c.Param("image_size");
        var pasted = new MaskPaster(c.Int("padding"), path).Paste(c.Tensor("masks"), c.Tensor("boxes"), size[0].GetInt32(), size[1].GetInt32());
        TensorAssert.Close(c.Tensor("output"), pasted, 1e-5, 1e-6);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ConstantMaskFillsItsBoxAndFadesOverThePaddedBorder(ComputePath path)
    {
        using var scope = torch.NewDisposeScope();
        // A 4×4 mask of ones on the box (10, 20)–(18, 28): padding 1 scales the box by 6/4 about its centre to
        // (8, 18)–(20, 30), 13×13 pixels. The padded mask 0 1 1 1 1 0 is resized from 6 to 13 samples: output
        // index i reads source max(6/13·(i + ½) − ½, 0) by linear interpolation. Row y = 24 (i = 6, source 2.5)
        // lies inside the ones, so that image row is the 1-D profile on x ∈ [8, 20] and zero elsewhere.
        var masks = torch.ones(1, 1, 4, 4);
        var boxes = torch.tensor(new float[] { 10, 20, 18, 28 }, [1, 4]);
        var pasted = new MaskPaster(1, path).Paste(masks, boxes, 40, 50)[0, 0];
        double[] padded = [0, 1, 1, 1, 1, 0];
        var row = new float[50];
        for (int i = 0; i < 13; i++)
        {
            double source = Math.Max(6.0 / 13 * (i + 0.5) - 0.5, 0);
            int low = (int)source;
            row[8 + i] = (float)(padded[low] + (source - low) * (padded[Math.Min(low + 1, 5)] - padded[low]));
        }
        TensorAssert.Close(torch.tensor(row), pasted[24], 0, 1e-6);
        Assert.Equal(0f, pasted.narrow(0, 0, 18).abs().sum().item<float>());
        Assert.Equal(0f, pasted.narrow(0, 31, 9).abs().sum().item<float>());
        Assert.Equal(0f, pasted.narrow(1, 21, 29).abs().sum().item<float>());
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void BoxesOutsideTheImageLeaveEmptyPlanes(ComputePath path)
    {
        using var scope = torch.NewDisposeScope();
        var masks = torch.ones(2, 1, 28, 28);
        var boxes = torch.tensor(new float[] { -40, -40, -10, -10, 60, 5, 90, 20 }, [2, 4]);
        var pasted = new MaskPaster(1, path).Paste(masks, boxes, 30, 50);
        Assert.Equal([2L, 1, 30, 50], pasted.shape);
        Assert.Equal(0f, pasted.abs().sum().item<float>());
    }

    [Fact]
    public void KernelAndTensorOpsAgreeOnRandomMasks()
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(4);
        var masks = torch.rand([30, 1, 28, 28], generator: g);
        var xy = torch.rand([30, 2], generator: g) * torch.tensor(new float[] { 140, 100 }) - 20;
        var wh = torch.rand([30, 2], generator: g) * 90 + 0.3f;
        var boxes = torch.cat([xy, xy + wh], 1);
        var kernel = new MaskPaster(1, ComputePath.CpuKernel).Paste(masks, boxes, 100, 120);
        var ops = new MaskPaster(1, ComputePath.TensorOps).Paste(masks, boxes, 100, 120);
        TensorAssert.Close(ops, kernel, 1e-5, 1e-6);
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        using var scope = torch.NewDisposeScope();
        var paster = new MaskPaster();
        Assert.Throws<ArgumentException>(() => paster.Paste(torch.zeros(2, 28, 28), torch.zeros(2, 4), 10, 10));
        Assert.Throws<ArgumentException>(() => paster.Paste(torch.zeros(2, 1, 28, 28), torch.zeros(3, 4), 10, 10));
        Assert.Throws<ArgumentException>(() => paster.Paste(torch.zeros(2, 1, 28, 28), torch.zeros(2, 5), 10, 10));
        Assert.Throws<ArgumentException>(() => paster.Paste(torch.zeros(2, 1, 28, 28), torch.zeros(2, 4), 0, 10));
        Assert.Throws<ArgumentException>(() => new MaskPaster(-1));
    }
}
