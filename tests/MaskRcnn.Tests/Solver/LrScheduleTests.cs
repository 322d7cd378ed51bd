using MaskRcnn.Config;
using MaskRcnn.Solver;
using TorchSharp;

namespace MaskRcnn.Tests.Solver;

/// <summary>Schedule values worked out by hand from maskrcnn-benchmark's <c>WarmupMultiStepLR</c> formula (and the cosine one).</summary>
public class LrScheduleTests
{
    const double Tolerance = 1e-12;

    static WarmupMultiStepLR MultiStep(WarmupMethod method) =>
        new(baseLr: 0.1, steps: [1000, 2000], gamma: 0.1, method, warmupFactor: 1.0 / 3, warmupIters: 500);

    [Theory]
    [InlineData(0, 0.1 / 3)]          // factor at the start
    [InlineData(250, 0.1 * 2 / 3)]    // α = 0.5: 1/3 · 0.5 + 0.5
    [InlineData(400, 0.1 * (1.0 / 3 * 0.2 + 0.8))]
    [InlineData(500, 0.1)]            // warm-up over
    [InlineData(999, 0.1)]
    [InlineData(1000, 0.01)]          // bisect_right: the step's own iteration is already lower
    [InlineData(1999, 0.01)]
    [InlineData(2000, 0.001)]
    [InlineData(90000, 0.001)]
    public void LinearWarmupThenSteps(long iteration, double expected) =>
        Assert.Equal(expected, MultiStep(WarmupMethod.Linear).LearningRate(iteration), Tolerance);

    [Theory]
    [InlineData(0, 0.1 / 3)]
    [InlineData(499, 0.1 / 3)]
    [InlineData(500, 0.1)]
    [InlineData(1000, 0.01)]
    public void ConstantWarmup(long iteration, double expected) =>
        Assert.Equal(expected, MultiStep(WarmupMethod.Constant).LearningRate(iteration), Tolerance);

    [Fact]
    public void AStepInsideTheWarmupMultipliesWithIt()
    {
        var schedule = new WarmupMultiStepLR(0.1, [100], 0.5, WarmupMethod.Linear, 1.0 / 3, 500);
        Assert.Equal(0.1 * 2 / 3 * 0.5, schedule.LearningRate(250), Tolerance);
    }

    [Theory]
    [InlineData(0, 0.1)]
    [InlineData(250, 0.1 * 0.5 * (1 + 0.70710678118654752))] // cos(π/4)
    [InlineData(500, 0.05)]
    [InlineData(1000, 0.0)]
    [InlineData(1500, 0.0)]  // held at 0 past MAX_ITER
    public void Cosine(long iteration, double expected) =>
        Assert.Equal(expected, new WarmupCosineLR(0.1, 1000, WarmupMethod.Linear, 1.0 / 3, 0).LearningRate(iteration), Tolerance);

    [Fact]
    public void CosineWithWarmup()
    {
        var schedule = new WarmupCosineLR(0.1, 1000, WarmupMethod.Linear, 0.5, 100);
        // α = 0.5: warm-up 0.5·0.5 + 0.5 = 0.75; cos(π·50/1000) = 0.98768834059513777
        Assert.Equal(0.1 * 0.75 * 0.5 * (1 + 0.98768834059513777), schedule.LearningRate(50), Tolerance);
        Assert.Equal(0.1 * 0.5 * (1 + Math.Cos(Math.PI / 10)), schedule.LearningRate(100), Tolerance);
    }

    [Fact]
    public void ApplySetsEveryGroupFromItsOwnBase()
    {
        using var model = torch.nn.Linear(3, 2);
        using var optimizer = OptimizerBuilder.Build(model, new SolverOptions { BaseLr = 0.1, BiasLrFactor = 2 });
        var schedule = MultiStep(WarmupMethod.Linear);
        schedule.Apply(optimizer, 250);
        Assert.Equal([0.1 * 2 / 3, 0.2 * 2 / 3], optimizer.ParamGroups.Select(g => g.LearningRate), new ToleranceComparer(Tolerance));
        schedule.Apply(optimizer, 1000); // not cumulative: a function of the iteration alone
        schedule.Apply(optimizer, 1000);
        Assert.Equal([0.01, 0.02], optimizer.ParamGroups.Select(g => g.LearningRate), new ToleranceComparer(Tolerance));
    }

    [Fact]
    public void FromConfig()
    {
        var cfg = ConfigLoader.Load(null, ["SOLVER.LR_SCHEDULER", "WarmupCosineLR", "SOLVER.WARMUP_METHOD", "constant", "SOLVER.MAX_ITER", "200", "SOLVER.BASE_LR", "0.02"]);
        var schedule = LrSchedule.Create(SolverOptions.From(cfg));
        var cosine = Assert.IsType<WarmupCosineLR>(schedule);
        Assert.Equal((200, WarmupMethod.Constant), (cosine.MaxIter, cosine.WarmupMethod));
        Assert.IsType<WarmupMultiStepLR>(LrSchedule.Create(SolverOptions.From(new MaskRcnnConfig())));
    }

    [Fact]
    public void TheSolverRegistriesHoldExactlyTheValuesValidationAccepts()
    {
        foreach (var (key, names) in new[] { (SolverOptions.WarmupMethods.Key, SolverOptions.WarmupMethods.Names), (SolverOptions.LrSchedulers.Key, SolverOptions.LrSchedulers.Names) })
            Assert.Equal(ConfigSupport.SupportedValues(key).Order(), names.Order());
        var cfg = new MaskRcnnConfig();
        cfg.Solver.WarmupMethod = "linar"; // past validation: set in code
        Assert.Equal("SOLVER.WARMUP_METHOD: unknown value 'linar' (did you mean 'linear'?); registered: constant, linear",
            Assert.Throws<ConfigException>(() => SolverOptions.From(cfg)).Message);
    }

    [Fact]
    public void ConfigRejectsUnknownSchedulerAndNegativeClipping()
    {
        Assert.Contains("did you mean 'WarmupCosineLR'",
            Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, ["SOLVER.LR_SCHEDULER", "WarmupCosinLR"])).Message);
        Assert.Contains("SOLVER.CLIP_GRADIENTS_NORM",
            Assert.Throws<ConfigException>(() => ConfigLoader.Load(null, ["SOLVER.CLIP_GRADIENTS_NORM", "-1"])).Message);
    }

    sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
