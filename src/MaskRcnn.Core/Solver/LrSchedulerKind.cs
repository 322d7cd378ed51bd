namespace MaskRcnn.Solver;

/// <summary>SOLVER.LR_SCHEDULER: the decay after the warm-up.</summary>
public enum LrSchedulerKind
{
    /// <summary>maskrcnn-benchmark's WarmupMultiStepLR: ×GAMMA at each of STEPS.</summary>
    WarmupMultiStep,
    /// <summary>Cosine decay to 0 at MAX_ITER (not in maskrcnn-benchmark).</summary>
    WarmupCosine,
}
