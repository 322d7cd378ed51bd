using MaskRcnn.Layers;
using TorchSharp;

namespace MaskRcnn.Benchmarks;

/// <summary>RoIAlign, the FPN pooler and mask pasting on the inputs of scripts/bench_torchvision_ops.py (same names, same recipe).</summary>
public static class RoiAlignBenchmarks
{
    const int H = OpsInputs.ImageHeight, W = OpsInputs.ImageWidth;

    public static IEnumerable<BenchCase> Cases() =>
    [
        new("RoIAlign forward, 1000 boxes -> 7x7", () =>
        {
            var (feature, rois) = StrideFourMap(seed: 1);
            var op = new RoiAlign(7, 7, 0.25, 2, aligned: false);
            return () => op.Forward(feature, rois);
        }),
        new("RoIAlign backward, 1000 boxes -> 7x7", () =>
        {
            var (feature, rois) = StrideFourMap(seed: 2);
            var leaf = feature.requires_grad_(true);
            var gradOutput = torch.randn([1000, 256, 7, 7], generator: new torch.Generator(3));
            var op = new RoiAlign(7, 7, 0.25, 2, aligned: false);
            return () =>
            {
                op.Forward(leaf, rois).backward([gradOutput]);
                leaf.grad!.Dispose();
                leaf.grad = null;
            };
        }),
        Pooler(1000, 7),
        Pooler(512, 14),
        new("Paste 100 masks 28x28 into 800x1088", () =>
        {
            var g = new torch.Generator(6);
            var masks = torch.rand([100, 1, 28, 28], generator: g);
            var boxes = OpsInputs.RandomBoxes(g, 100);
            var paster = new MaskPaster();
            return () => paster.Paste(masks, boxes, H, W);
        }),
    ];

    /// <summary>One image's stride-4 map (256 channels) and 1000 RoIs of 16–400 px inside the image.</summary>
    static (torch.Tensor Feature, torch.Tensor Rois) StrideFourMap(ulong seed)
    {
        var g = new torch.Generator(seed);
        var feature = torch.randn([1, 256, H / 4, W / 4], generator: g);
        var rois = torch.cat([torch.zeros(1000, 1), OpsInputs.RandomBoxes(g, 1000)], 1);
        return (feature, rois);
    }

    static BenchCase Pooler(int boxes, int size) => new($"Pooler 4 levels, {boxes} boxes -> {size}x{size}", () =>
    {
        var g = new torch.Generator((ulong)(10 + size));
        torch.Tensor[] features = [.. new[] { 4, 8, 16, 32 }.Select(s => torch.randn([1, 256, H / s, W / s], generator: g))];
        var imageBoxes = OpsInputs.RandomBoxes(g, boxes);
        var pooler = new MultiScaleRoIAlign(size, size, 2);
        return () => pooler.Forward(features, [imageBoxes], [(H, W)]);
    });
}
