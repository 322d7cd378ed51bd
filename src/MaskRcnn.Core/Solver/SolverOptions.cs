using MaskRcnn.Config;

namespace MaskRcnn.Solver;

/// <summary>The SOLVER settings the optimizer and the learning-rate schedule need, checked once.</summary>
public sealed record SolverOptions
{
    public double BaseLr { get; init; } = 0.001;
    public double BiasLrFactor { get; init; } = 2.0;
    public double Momentum { get; init; } = 0.9;
    public double WeightDecay { get; init; } = 0.0005;
    public double WeightDecayBias { get; init; }
    public double Gamma { get; init; } = 0.1;
    public IReadOnlyList<int> Steps { get; init; } = [30000];
    public double WarmupFactor { get; init; } = 1.0 / 3;
    public int WarmupIters { get; init; } = 500;
    public WarmupMethod WarmupMethod { get; init; } = WarmupMethod.Linear;
    public LrSchedulerKind Scheduler { get; init; } = LrSchedulerKind.WarmupMultiStep;
    public int MaxIter { get; init; } = 40000;

    /// <summary>Largest total gradient norm; 0 means no clipping.</summary>
    public double ClipGradientsNorm { get; init; }

    /// <summary>The warm-ups by SOLVER.WARMUP_METHOD name.</summary>
    public static readonly Registry<WarmupMethod> WarmupMethods = new("SOLVER.WARMUP_METHOD",
        ("constant", WarmupMethod.Constant), ("linear", WarmupMethod.Linear));

    /// <summary>The schedules by SOLVER.LR_SCHEDULER name.</summary>
    public static readonly Registry<LrSchedulerKind> LrSchedulers = new("SOLVER.LR_SCHEDULER",
        ("WarmupMultiStepLR", LrSchedulerKind.WarmupMultiStep), ("WarmupCosineLR", LrSchedulerKind.WarmupCosine));

    public static SolverOptions From(MaskRcnnConfig cfg)
    {
        var s = cfg.Solver;
        return new SolverOptions
        {
            BaseLr = s.BaseLr,
            BiasLrFactor = s.BiasLrFactor,
            Momentum = s.Momentum,
            WeightDecay = s.WeightDecay,
            WeightDecayBias = s.WeightDecayBias,
            Gamma = s.Gamma,
            Steps = s.Steps.ToArray(),
            WarmupFactor = s.WarmupFactor,
            WarmupIters = s.WarmupIters,
            WarmupMethod = WarmupMethods.Get(s.WarmupMethod),
            Scheduler = LrSchedulers.Get(s.LrScheduler),
            MaxIter = s.MaxIter,
            ClipGradientsNorm = s.ClipGradientsNorm,
        };
    }
}
