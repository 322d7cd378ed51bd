using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.optim;

namespace MaskRcnn.Solver;

/// <summary>
/// Dynamic loss scaling for float16 training, as PyTorch's <c>GradScaler</c> (which TorchSharp lacks): the loss is
/// multiplied by <see cref="Scale"/> before backward so that small float16 gradients do not flush to zero; gradients
/// are divided back before clipping and the step; a step whose gradients overflowed is skipped and the scale halved,
/// and after <c>growthInterval</c> clean steps in a row the scale doubles.
/// </summary>
public sealed class GradientScaler(double initialScale = 65536, double growthFactor = 2, double backoffFactor = 0.5, int growthInterval = 2000)
{
    public double Scale { get; private set; } = initialScale;

    /// <summary>Clean steps since the scale last changed.</summary>
    public int GrowthTracker { get; private set; }

    public Tensor ScaleLoss(Tensor loss) => loss * Scale;

    /// <summary>Divides every gradient by the scale in place; true when all of them are finite (one sync for all).</summary>
    public bool Unscale(Optimizer optimizer)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var grads = optimizer.parameters().Select(p => p.grad).OfType<Tensor>().ToList();
        if (grads.Count == 0) return true;
        double inverse = 1.0 / Scale;
        foreach (var g in grads) g.mul_(inverse);
        return stack(grads.Select(g => g.isfinite().all()).ToList()).all().item<bool>();
    }

    /// <summary>Steps the optimizer unless the gradients overflowed, then adapts the scale. Returns whether it stepped.</summary>
    public bool Step(Optimizer optimizer, bool gradientsFinite)
    {
        if (gradientsFinite) optimizer.step();
        Update(gradientsFinite);
        return gradientsFinite;
    }

    void Update(bool gradientsFinite)
    {
        if (!gradientsFinite)
        {
            Scale *= backoffFactor;
            GrowthTracker = 0;
            return;
        }
        if (++GrowthTracker < growthInterval) return;
        Scale *= growthFactor;
        GrowthTracker = 0;
    }

    /// <summary>Puts back a state saved with a checkpoint.</summary>
    public void Restore(double scale, int growthTracker)
    {
        if (!(scale > 0) || double.IsInfinity(scale)) throw new ArgumentOutOfRangeException(nameof(scale), $"loss scale must be positive and finite, got {scale}");
        Scale = scale;
        GrowthTracker = growthTracker;
    }
}
