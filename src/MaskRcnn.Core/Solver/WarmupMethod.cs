namespace MaskRcnn.Solver;

/// <summary>SOLVER.WARMUP_METHOD: how the learning rate rises during the first WARMUP_ITERS iterations.</summary>
public enum WarmupMethod
{
    /// <summary>WARMUP_FACTOR throughout the warm-up.</summary>
    Constant,
    /// <summary>From WARMUP_FACTOR at iteration 0 rising linearly towards 1 at WARMUP_ITERS.</summary>
    Linear,
}
