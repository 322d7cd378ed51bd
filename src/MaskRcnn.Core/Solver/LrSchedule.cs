using TorchSharp;

namespace MaskRcnn.Solver;

/// <summary>
/// A learning-rate schedule as a pure function of the iteration: every group's lr is its own base lr (BASE_LR,
/// or BASE_LR × BIAS_LR_FACTOR for biases) times <see cref="Factor"/>. <see cref="Apply"/> writes the lr into
/// the optimizer explicitly each iteration, so a resumed run gets the same rates from the iteration alone and
/// nothing depends on TorchSharp's scheduler state. As in maskrcnn-benchmark's loop, the trainer applies
/// iteration i (1-based: the number of steps done once this one is) before the i-th optimizer step.
/// </summary>
public abstract class LrSchedule
{
    protected LrSchedule(double baseLr, WarmupMethod warmupMethod, double warmupFactor, int warmupIters)
    {
        if (baseLr < 0) throw new ArgumentOutOfRangeException(nameof(baseLr), baseLr, "base learning rate must not be negative");
        if (warmupIters < 0) throw new ArgumentOutOfRangeException(nameof(warmupIters), warmupIters, "warm-up iterations must not be negative");
        (BaseLr, WarmupMethod, WarmupFactor, WarmupIters) = (baseLr, warmupMethod, warmupFactor, warmupIters);
    }

    public double BaseLr { get; }
    public WarmupMethod WarmupMethod { get; }
    public double WarmupFactor { get; }
    public int WarmupIters { get; }

    public static LrSchedule Create(SolverOptions o) => o.Scheduler switch
    {
        LrSchedulerKind.WarmupMultiStep => new WarmupMultiStepLR(o.BaseLr, o.Steps, o.Gamma, o.WarmupMethod, o.WarmupFactor, o.WarmupIters),
        LrSchedulerKind.WarmupCosine => new WarmupCosineLR(o.BaseLr, o.MaxIter, o.WarmupMethod, o.WarmupFactor, o.WarmupIters),
        _ => throw new ArgumentOutOfRangeException(nameof(o), o.Scheduler, "unknown learning-rate schedule"),
    };

    /// <summary>The multiplier of every group's base lr at <paramref name="iteration"/>.</summary>
    public double Factor(long iteration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        return Warmup(iteration) * Decay(iteration);
    }

    /// <summary>BASE_LR's value at <paramref name="iteration"/> (bias groups: their own base × <see cref="Factor"/>).</summary>
    public double LearningRate(long iteration) => BaseLr * Factor(iteration);

    /// <summary>Sets each parameter group's lr to its base lr (the lr it was built with) × <see cref="Factor"/>.</summary>
    public void Apply(torch.optim.Optimizer optimizer, long iteration)
    {
        var factor = Factor(iteration);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = group.InitialLearningRate * factor;
    }

    /// <summary>maskrcnn-benchmark's warm-up multiplier: 1 from WARMUP_ITERS on.</summary>
    double Warmup(long iteration)
    {
        if (iteration >= WarmupIters) return 1.0;
        return WarmupMethod switch
        {
            WarmupMethod.Constant => WarmupFactor,
            WarmupMethod.Linear => WarmupFactor * (1 - (double)iteration / WarmupIters) + (double)iteration / WarmupIters,
            _ => throw new InvalidOperationException($"unknown warm-up method {WarmupMethod}"),
        };
    }

    /// <summary>The schedule's own decay, multiplied with the warm-up.</summary>
    protected abstract double Decay(long iteration);
}
