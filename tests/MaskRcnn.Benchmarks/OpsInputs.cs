using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Benchmarks;

/// <summary>The input recipe shared with scripts/bench_torchvision_ops.py: an 800×1088 image, boxes with
/// uniform centres and sizes, clamped to the image.</summary>
public static class OpsInputs
{
    public const int ImageHeight = 800, ImageWidth = 1088;

    public static Tensor RandomBoxes(Generator g, long n, float minSize = 16, float maxSize = 400)
    {
        var wh = torch.rand([n, 2], generator: g) * (maxSize - minSize) + minSize;
        var xy = torch.rand([n, 2], generator: g) * torch.tensor(new float[] { ImageWidth, ImageHeight });
        var b = torch.cat([xy - wh / 2, xy + wh / 2], 1);
        var x = b[.., TensorIndex.Slice(0, null, 2)].clamp(0, ImageWidth);
        var y = b[.., TensorIndex.Slice(1, null, 2)].clamp(0, ImageHeight);
        return torch.stack([x[.., 0], y[.., 0], x[.., 1], y[.., 1]], 1);
    }
}
