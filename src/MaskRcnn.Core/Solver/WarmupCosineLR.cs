namespace MaskRcnn.Solver;

/// <summary>Warm-up × 0.5·(1 + cos(π·iteration / MAX_ITER)): from the base lr down to 0 at MAX_ITER (not in maskrcnn-benchmark).</summary>
public sealed class WarmupCosineLR : LrSchedule
{
    public WarmupCosineLR(double baseLr, int maxIter, WarmupMethod warmupMethod, double warmupFactor, int warmupIters)
        : base(baseLr, warmupMethod, warmupFactor, warmupIters)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxIter);
        MaxIter = maxIter;
    }

    public int MaxIter { get; }

    // Held at 0 past MAX_ITER rather than rising again along the cosine.
    protected override double Decay(long iteration) => 0.5 * (1 + Math.Cos(Math.PI * Math.Min(iteration, MaxIter) / MaxIter));
}
