using MaskRcnn.Layers;
using TorchSharp;

namespace MaskRcnn.Benchmarks;

public static class NmsBenchmarks
{
    public static IEnumerable<BenchCase> Cases() =>
    [
        Greedy(1000),
        Greedy(4000),
        new("Batched NMS 80 classes x 1000 (score > 0.05)", () =>
        {
            var g = new torch.Generator(1);
            var boxes = OpsInputs.RandomBoxes(g, 80 * 1000, 16, 256);
            var scores = torch.rand(80 * 1000, generator: g);
            var classes = torch.arange(80).repeat_interleave(1000);
            var keep = scores > 0.05;
            var (b, s, c) = (boxes[keep], scores[keep], classes[keep]);
            return () => Nms.Batched(b, s, c, 0.5);
        }),
    ];

    static BenchCase Greedy(int n) => new($"NMS {n} boxes", () =>
    {
        var g = new torch.Generator((ulong)n);
        var boxes = OpsInputs.RandomBoxes(g, n, 16, 256);
        var scores = torch.rand(n, generator: g);
        return () => Nms.Greedy(boxes, scores, 0.5);
    });
}
