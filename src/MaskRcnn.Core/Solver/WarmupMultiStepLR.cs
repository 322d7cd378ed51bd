namespace MaskRcnn.Solver;

/// <summary>maskrcnn-benchmark's <c>WarmupMultiStepLR</c>: warm-up × GAMMA^(number of STEPS ≤ iteration).</summary>
public sealed class WarmupMultiStepLR : LrSchedule
{
    readonly int[] steps;

    public WarmupMultiStepLR(double baseLr, IReadOnlyList<int> steps, double gamma, WarmupMethod warmupMethod, double warmupFactor, int warmupIters)
        : base(baseLr, warmupMethod, warmupFactor, warmupIters)
    {
        if (steps.Zip(steps.Skip(1)).Any(p => p.First >= p.Second))
            throw new ArgumentException($"milestones must be increasing, got ({string.Join(", ", steps)})", nameof(steps));
        this.steps = steps.ToArray();
        Gamma = gamma;
    }

    public IReadOnlyList<int> Steps => steps;
    public double Gamma { get; }

    // bisect_right: a step's own iteration already has the lower rate.
    protected override double Decay(long iteration) => Math.Pow(Gamma, steps.Count(s => s <= iteration));
}
