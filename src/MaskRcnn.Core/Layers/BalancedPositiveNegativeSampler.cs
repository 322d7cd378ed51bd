using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Layers;

/// <summary>
/// Picks a fixed-size training sample per image: up to <c>batchSizePerImage × positiveFraction</c>
/// positives chosen at random, the rest of the batch filled with random negatives.
/// Labels per prediction: ≥ 1 positive, 0 negative, −1 ignored.
/// </summary>
public sealed class BalancedPositiveNegativeSampler(int batchSizePerImage, double positiveFraction)
{
    public int BatchSizePerImage { get; } = batchSizePerImage;
    public double PositiveFraction { get; } = positiveFraction;

    /// <summary>Returns (positive, negative) boolean masks shaped like <paramref name="labels"/>.</summary>
    public (Tensor Positive, Tensor Negative) Sample(Tensor labels, Generator? generator = null)
    {
        using var scope = torch.NewDisposeScope();
        var positive = torch.nonzero(labels >= 1).flatten();
        var negative = torch.nonzero(labels == 0).flatten();
        long numPos = Math.Min(positive.numel(), (long)(BatchSizePerImage * PositiveFraction));
        long numNeg = Math.Min(negative.numel(), BatchSizePerImage - numPos);
        var posMask = torch.zeros_like(labels, ScalarType.Bool);
        var negMask = torch.zeros_like(labels, ScalarType.Bool);
        posMask.index_fill_(0, Pick(positive, numPos, generator), true);
        negMask.index_fill_(0, Pick(negative, numNeg, generator), true);
        return (posMask.MoveToOuterDisposeScope(), negMask.MoveToOuterDisposeScope());
    }

    static Tensor Pick(Tensor candidates, long count, Generator? generator) =>
        candidates[torch.randperm(candidates.numel(), generator: generator, device: candidates.device)[..(int)count]];
}
