using MaskRcnn.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Layers;

public class RoiAlignTests
{
    static readonly TensorFixture Reference = TensorFixture.Load("ops/roi_align.json");

    public static TheoryData<string> FixtureCases() =>
    [
        "aligned=false,sampling=0,out=7x7", "aligned=false,sampling=0,out=14x14", "aligned=false,sampling=2,out=7x7",
        "aligned=true,sampling=0,out=7x7", "aligned=true,sampling=0,out=14x14", "aligned=true,sampling=2,out=7x7",
    ];

    static RoiAlign FromCase(FixtureCase c, ComputePath path)
    {
        var size = c.Param("output_size");
        return new RoiAlign(size[0].GetInt32(), size[1].GetInt32(), c.Double("spatial_scale"), c.Int("sampling_ratio"), c.Bool("aligned"), path);
    }

    /// <summary>Output and input gradient of sum(output · grad_output), as the fixture was made.</summary>
    static (Tensor Output, Tensor GradInput) Run(RoiAlign op, Tensor input, Tensor rois, Tensor gradOutput)
    {
        var x = input.clone().requires_grad_(true);
        var y = op.Forward(x, rois);
        (y * gradOutput).sum().backward();
        return (y.detach(), x.grad!);
    }

    [Theory]
    [MemberData(nameof(FixtureCases))]
    public void CpuKernelGivesTorchvisionsExactOutputAndGradient(string name)
    {
        using var scope = torch.NewDisposeScope();
        var c = Reference[name];
        var (output, gradInput) = Run(FromCase(c, ComputePath.CpuKernel), c.Tensor("input"), c.Tensor("rois"), c.Tensor("grad_output"));
        // Same float operations in the same order as torchvision's kernel: bit for bit.
        TensorAssert.Equal(c.Tensor("output"), output, "output");
        TensorAssert.Equal(c.Tensor("grad_input"), gradInput, "grad_input");
    }

    [Theory]
    [MemberData(nameof(FixtureCases))]
    public void TensorOpsMatchTorchvisionOutputAndGradient(string name)
    {
        using var scope = torch.NewDisposeScope();
        var c = Reference[name];
        var (output, gradInput) = Run(FromCase(c, ComputePath.TensorOps), c.Tensor("input"), c.Tensor("rois"), c.Tensor("grad_output"));
        TensorAssert.Close(c.Tensor("output"), output, 1e-5, 1e-6, "output");
        TensorAssert.Close(c.Tensor("grad_input"), gradInput, 1e-5, 1e-6, "grad_input");
    }

    public static TheoryData<ComputePath> Paths() => [ComputePath.CpuKernel, ComputePath.TensorOps];

    [Theory]
    [MemberData(nameof(Paths))]
    public void LinearMapIsSampledAtBinCentres(ComputePath path)
    {
        using var scope = torch.NewDisposeScope();
        // f(y, x) = 3x − 2y + 1 is reproduced exactly by bilinear interpolation, and a bin's samples are
        // symmetric about its centre, so each bin holds f at the bin centre while all samples lie inside the map.
        const int height = 16, width = 20;
        var ys = torch.arange(height, float32).view(height, 1);
        var xs = torch.arange(width, float32).view(1, width);
        var map = (3 * xs - 2 * ys + 1).expand(height, width).reshape(1, 1, height, width).contiguous();
        // Image coordinates at scale 0.5: the RoI spans x ∈ [2, 14], y ∈ [3, 10.5] on the map.
        var rois = torch.tensor(new float[] { 0, 4, 6, 28, 21 }, [1, 5]);
        var output = new RoiAlign(3, 4, 0.5, 2, aligned: false, path).Forward(map, rois);
        var expected = new float[3 * 4];
        for (int ph = 0; ph < 3; ph++)
            for (int pw = 0; pw < 4; pw++)
            {
                double cy = 3 + (ph + 0.5) * 7.5 / 3, cx = 2 + (pw + 0.5) * 12.0 / 4;
                expected[ph * 4 + pw] = (float)(3 * cx - 2 * cy + 1);
            }
        TensorAssert.Close(torch.tensor(expected, [1, 1, 3, 4]), output, 1e-6, 1e-5);

        // aligned = true shifts every sample by half a pixel: f changes by (−3 + 2)·0.5.
        var shifted = new RoiAlign(3, 4, 0.5, 2, aligned: true, path).Forward(map, rois);
        TensorAssert.Close(torch.tensor(expected, [1, 1, 3, 4]) - 0.5f, shifted, 1e-6, 1e-5);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void SamplesBeyondTheBorderCountAsZeroAndNearOnesReadTheEdge(ComputePath path)
    {
        using var scope = torch.NewDisposeScope();
        var ones = torch.ones(1, 2, 10, 10);
        // x ∈ [−4, 4] with 2 bins of 2 samples: x = −3, −1 | 1, 3. −3 is beyond −1 and counts as 0; −1 reads the
        // edge. y ∈ [10, 11] (1 bin, samples at 10.25, 10.75): both above H = 10, so the second RoI is all zeros.
        var rois = torch.tensor(new float[] { 0, -4, 2, 4, 4, 0, 2, 10, 8, 11 }, [2, 5]);
        var output = new RoiAlign(1, 2, 1.0, 2, aligned: false, path).Forward(ones, rois);
        var expected = torch.tensor(new float[] { 0.5f, 1, 0.5f, 1, 0, 0, 0, 0 }, [2, 2, 1, 2]);
        TensorAssert.Close(expected, output, 0, 1e-7);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void TinyLegacyRoiIsReadAsOnePixel(ComputePath path)
    {
        using var scope = torch.NewDisposeScope();
        var map = torch.arange(25, float32).view(1, 1, 5, 5);
        // A zero-size box at (2, 1): aligned = false widens it to 1×1, one bin with 2×2 samples at
        // x ∈ {2.25, 2.75}, y ∈ {1.25, 1.75}, averaging to the value at (1.5, 2.5): 1.5·5 + 2.5 = 10.
        var rois = torch.tensor(new float[] { 0, 2, 1, 2, 1 }, [1, 5]);
        var output = new RoiAlign(1, 1, 1.0, 0, aligned: false, path).Forward(map, rois);
        TensorAssert.Close(torch.full(1, 1, 1, 1, 10f), output, 0, 1e-6);
        // aligned = true keeps it empty: an adaptive grid of 0 samples pools to 0.
        var empty = new RoiAlign(1, 1, 1.0, 0, aligned: true, path).Forward(map, rois);
        TensorAssert.Close(torch.zeros(1, 1, 1, 1), empty, 0, 0);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void BackwardIsTheAdjointOfForward(ComputePath path)
    {
        using var scope = torch.NewDisposeScope();
        // RoIAlign is linear in its input: <A x, g> = <x, Aᵀ g> for any x and g.
        var g = new torch.Generator(7);
        var x = torch.randn([2, 3, 12, 15], generator: g).requires_grad_(true);
        var rois = RandomRois(g, 20, 2, 30, 24);
        var op = new RoiAlign(5, 4, 0.5, 0, aligned: true, path);
        var y = op.Forward(x, rois);
        var gy = torch.randn(y.shape, generator: g);
        (y * gy).sum().backward();
        var lhs = (y.detach().to(float64) * gy.to(float64)).sum().item<double>();
        var rhs = (x.detach().to(float64) * x.grad!.to(float64)).sum().item<double>();
        Assert.Equal(lhs, rhs, 1e-3);
    }

    [Fact]
    public void CpuKernelAndTensorOpsAgreeOnRandomRois()
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(11);
        var x = torch.randn([3, 4, 17, 13], generator: g);
        var rois = RandomRois(g, 60, 3, 26, 34);
        foreach (var aligned in new[] { false, true })
            foreach (var sampling in new[] { 0, 1, 3 })
            {
                var kernel = new RoiAlign(6, 5, 0.5, sampling, aligned, ComputePath.CpuKernel).Forward(x, rois);
                var ops = new RoiAlign(6, 5, 0.5, sampling, aligned, ComputePath.TensorOps).Forward(x, rois);
                TensorAssert.Close(kernel, ops, 1e-5, 1e-6, $"aligned={aligned}, sampling={sampling}");
            }
    }

    [Fact]
    public void CpuGradientDoesNotDependOnTheThreadCount()
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(3);
        var x = torch.randn([1, 8, 20, 20], generator: g);
        var rois = RandomRois(g, 50, 1, 40, 40);
        var gy = torch.randn([50, 8, 7, 7], generator: g);
        var op = new RoiAlign(7, 7, 0.5, 2, aligned: false, ComputePath.CpuKernel);
        int threads = torch.get_num_threads();
        try
        {
            torch.set_num_threads(1);
            var (y1, g1) = Run(op, x, rois, gy);
            torch.set_num_threads(2);
            var (y2, g2) = Run(op, x, rois, gy);
            TensorAssert.Equal(y1, y2, "output");
            TensorAssert.Equal(g1, g2, "grad_input");
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    [Fact]
    public void NonContiguousInputAndNoRoisWork()
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(5);
        var x = torch.randn([1, 10, 9, 3], generator: g).permute(0, 3, 1, 2); // [1, 3, 10, 9], not contiguous
        var rois = RandomRois(g, 5, 1, 9, 10);
        var op = new RoiAlign(2, 2, 1.0, 2, aligned: false, ComputePath.CpuKernel);
        TensorAssert.Equal(op.Forward(x.contiguous(), rois), op.Forward(x, rois));
        Assert.Equal([0L, 3, 2, 2], op.Forward(x, torch.zeros(0, 5)).shape);
        Assert.Equal([0L, 3, 2, 2], new RoiAlign(2, 2, 1.0, 2, false, ComputePath.TensorOps).Forward(x, torch.zeros(0, 5)).shape);
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        using var scope = torch.NewDisposeScope();
        var op = new RoiAlign(7, 7, 0.25, 2, aligned: false);
        Assert.Throws<ArgumentException>(() => op.Forward(torch.zeros(3, 8, 8), torch.zeros(1, 5)));
        Assert.Throws<ArgumentException>(() => op.Forward(torch.zeros(1, 3, 8, 8), torch.zeros(1, 4)));
        Assert.Throws<ArgumentException>(() => op.Forward(torch.zeros(1, 3, 8, 8), torch.zeros(5)));
        Assert.Throws<ArgumentException>(() => op.Forward(torch.zeros(1, 3, 8, 8), torch.tensor(new float[] { 1, 0, 0, 4, 4 }, [1, 5])));
        Assert.Throws<ArgumentException>(() => new RoiAlign(0, 7, 0.25, 2, aligned: false));
        Assert.Throws<ArgumentException>(() => new RoiAlign(7, 7, 0.25, 2, false, ComputePath.CpuKernel).Forward(torch.zeros(1, 3, 8, 8, float64), torch.zeros(1, 5, float64)));
    }

    /// <summary>[count, 5] RoIs over an image of the given size, some reaching past its borders.</summary>
    internal static Tensor RandomRois(torch.Generator g, int count, int batch, float imageWidth, float imageHeight)
    {
        var index = torch.randint(0, batch, [count, 1], generator: g).to(float32);
        var size = torch.rand([count, 2], generator: g) * torch.tensor(new[] { imageWidth / 2, imageHeight / 2 }) + 0.2f;
        var centre = torch.rand([count, 2], generator: g) * torch.tensor(new[] { imageWidth * 1.2f, imageHeight * 1.2f }) - torch.tensor(new[] { imageWidth * 0.1f, imageHeight * 0.1f });
        return torch.cat([index, centre - size / 2, centre + size / 2], 1);
    }
}
