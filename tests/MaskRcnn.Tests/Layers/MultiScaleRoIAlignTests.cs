using MaskRcnn.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Layers;

public class MultiScaleRoIAlignTests
{
    static readonly TensorFixture Reference = TensorFixture.Load("ops/multiscale_roi_align.json");

    public static TheoryData<string, ComputePath> FixtureCases() => new()
    {
        { "out=7x7,sampling=2", ComputePath.CpuKernel }, { "out=14x14,sampling=2", ComputePath.CpuKernel }, { "out=7x7,sampling=0", ComputePath.CpuKernel },
        { "out=7x7,sampling=2", ComputePath.TensorOps }, { "out=14x14,sampling=2", ComputePath.TensorOps }, { "out=7x7,sampling=0", ComputePath.TensorOps },
    };

    static (MultiScaleRoIAlign Pooler, Tensor[] Features, Tensor[] Boxes, (int, int)[] ImageSizes) FromCase(FixtureCase c, ComputePath path)
    {
        var size = c.Param("output_size");
        var pooler = new MultiScaleRoIAlign(size[0].GetInt32(), size[1].GetInt32(), c.Int("sampling_ratio"), path: path);
        var imageSizes = c.Param("image_sizes").EnumerateArray().Select(s => (s[0].GetInt32(), s[1].GetInt32())).ToArray();
        return (pooler, [.. Enumerable.Range(0, 4).Select(i => c.Tensor($"feat{i}"))], [c.Tensor("boxes0"), c.Tensor("boxes1")], imageSizes);
    }

    [Theory]
    [MemberData(nameof(FixtureCases))]
    public void PoolsAsTorchvision(string name, ComputePath path)
    {
        using var scope = torch.NewDisposeScope();
        var c = Reference[name];
        var (pooler, features, boxes, imageSizes) = FromCase(c, path);
        Assert.Equal([0.25, 0.125, 0.0625, 0.03125], pooler.Scales(features, imageSizes));
        TensorAssert.Equal(c.Tensor("levels"), pooler.AssignLevels(features, boxes, imageSizes), "levels");
        var output = pooler.Forward(features, boxes, imageSizes);
        if (path == ComputePath.CpuKernel)
            TensorAssert.Equal(c.Tensor("output"), output, "output");
        else
            TensorAssert.Close(c.Tensor("output"), output, 1e-5, 1e-6, "output");
    }

    [Fact]
    public void LevelsFollowTheCanonicalRule()
    {
        using var scope = torch.NewDisposeScope();
        // sqrt(area) 224 → level 4; 111 → 3 (log2(111/224) ≈ −1.01); 112 → exactly 3; 10 → clamped to 2; 2000 → clamped to 5.
        var boxes = torch.tensor(new float[] { 0, 0, 224, 224, 0, 0, 111, 111, 0, 0, 112, 112, 5, 5, 15, 15, 0, 0, 2000, 2000 }, [5, 4]);
        var levels = new LevelMapper(2, 5).Map(boxes);
        Assert.Equal(new long[] { 2, 0, 1, 0, 3 }, levels.data<long>().ToArray());
    }

    [Fact]
    public void GivenScalesAndOneLevelWork()
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(2);
        var feature = torch.randn([1, 3, 25, 30], generator: g);
        var boxes = torch.tensor(new float[] { 10, 12, 60, 70, 0, 0, 100, 90 }, [2, 4]);
        var pooled = new MultiScaleRoIAlign(7, 7, 2, scales: [0.25]).Forward([feature], [boxes]);
        var rois = torch.cat([torch.zeros(2, 1), boxes], 1);
        TensorAssert.Equal(new RoiAlign(7, 7, 0.25, 2, aligned: false).Forward(feature, rois), pooled);
    }

    [Fact]
    public void GradientReachesEachLevelAsWithPerLevelRoiAlign()
    {
        using var scope = torch.NewDisposeScope();
        var c = Reference["out=7x7,sampling=2"];
        var (kernelPooler, features, boxes, imageSizes) = FromCase(c, ComputePath.CpuKernel);
        var (opsPooler, _, _, _) = FromCase(c, ComputePath.TensorOps);
        var g = new torch.Generator(9);
        var gradOutput = torch.randn([40, 1, 7, 7], generator: g);

        Tensor[] Gradients(MultiScaleRoIAlign pooler)
        {
            var leaves = features.Select(f => f.clone().requires_grad_(true)).ToArray();
            (pooler.Forward(leaves, boxes, imageSizes) * gradOutput).sum().backward();
            return leaves.Select(l => l.grad!).ToArray();
        }

        var kernel = Gradients(kernelPooler);
        var ops = Gradients(opsPooler);
        for (int l = 0; l < 4; l++)
        {
            Assert.True(kernel[l].abs().sum().item<float>() > 0, $"level {l} got no gradient");
            TensorAssert.Close(ops[l], kernel[l], 1e-5, 1e-6, $"level {l}");
        }
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        using var scope = torch.NewDisposeScope();
        var pooler = new MultiScaleRoIAlign(7, 7, 2);
        Tensor[] features = [torch.zeros(1, 2, 16, 16), torch.zeros(1, 2, 8, 8)];
        (int, int)[] sizes = [(64, 64)];
        Assert.Throws<ArgumentException>(() => pooler.Forward(features, [torch.zeros(3, 5)], sizes));
        Assert.Throws<ArgumentException>(() => pooler.Forward(features, [torch.zeros(3, 4), torch.zeros(1, 4)], sizes));
        Assert.Throws<ArgumentException>(() => pooler.Forward(features, [torch.zeros(3, 4)]));
        Assert.Throws<ArgumentException>(() => pooler.Forward([torch.zeros(1, 2, 16, 16), torch.zeros(1, 3, 8, 8)], [torch.zeros(3, 4)], sizes));
        Assert.Throws<ArgumentException>(() => new MultiScaleRoIAlign(7, 7, 2, scales: [0.25]).Forward(features, [torch.zeros(3, 4)]));
    }
}
