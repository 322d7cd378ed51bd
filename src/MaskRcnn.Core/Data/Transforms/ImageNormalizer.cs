using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Data.Transforms;

/// <summary>
/// The last step of maskrcnn-benchmark's transforms: a [0,1] RGB image becomes BGR in 0–255 when
/// <c>INPUT.TO_BGR255</c> (Caffe2 weights) and is then normalized by <c>INPUT.PIXEL_MEAN</c> and
/// <c>INPUT.PIXEL_STD</c>, given in that same channel order.
/// </summary>
public sealed record ImageNormalizer(bool ToBgr255, double[] Mean, double[] Std)
{
    public Tensor Apply(Tensor rgb01)
    {
        using var scope = torch.NewDisposeScope();
        var image = ToBgr255 ? rgb01.flip(0) * 255 : rgb01;
        var mean = torch.tensor(Mean.Select(v => (float)v).ToArray(), device: image.device).view(3, 1, 1);
        var std = torch.tensor(Std.Select(v => (float)v).ToArray(), device: image.device).view(3, 1, 1);
        return ((image - mean) / std).MoveToOuterDisposeScope();
    }

    /// <summary>Undoes <see cref="Apply"/>: back to [0,1] RGB, for drawing.</summary>
    public Tensor Invert(Tensor normalized)
    {
        using var scope = torch.NewDisposeScope();
        var mean = torch.tensor(Mean.Select(v => (float)v).ToArray(), device: normalized.device).view(3, 1, 1);
        var std = torch.tensor(Std.Select(v => (float)v).ToArray(), device: normalized.device).view(3, 1, 1);
        var image = normalized * std + mean;
        return (ToBgr255 ? image.flip(0) / 255 : image).clamp(0, 1).MoveToOuterDisposeScope();
    }
}
