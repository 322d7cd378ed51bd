using TorchSharp;

namespace MaskRcnn.Solver;

/// <summary>SOLVER.CLIP_GRADIENTS_NORM: scales the optimizer's gradients so their total L2 norm is at most the limit.</summary>
public static class GradientClipping
{
    /// <summary>Clips in place when <paramref name="maxNorm"/> is positive; returns the total norm before clipping, or null when off.</summary>
    public static double? Apply(torch.optim.Optimizer optimizer, double maxNorm)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxNorm);
        if (maxNorm == 0) return null;
        // LibTorch skips parameters without a gradient (frozen, or unused this step).
        return torch.nn.utils.clip_grad_norm_(optimizer.parameters(), maxNorm);
    }
}
