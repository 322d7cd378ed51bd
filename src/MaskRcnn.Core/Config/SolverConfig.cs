namespace MaskRcnn.Config;

/// <summary>SOLVER: SGD, the warm-up learning-rate schedule, gradient clipping, checkpoint period and batch size.</summary>
public sealed class SolverConfig : ConfigSection
{
    [Key("MAX_ITER")] public int MaxIter { get; set; } = 40000;
    [Key("BASE_LR")] public double BaseLr { get; set; } = 0.001;
    [Key("BIAS_LR_FACTOR")] public double BiasLrFactor { get; set; } = 2.0;
    [Key("MOMENTUM")] public double Momentum { get; set; } = 0.9;
    [Key("WEIGHT_DECAY")] public double WeightDecay { get; set; } = 0.0005;
    [Key("WEIGHT_DECAY_BIAS")] public double WeightDecayBias { get; set; } = 0.0;
    [Key("GAMMA")] public double Gamma { get; set; } = 0.1;
    [Key("STEPS")] public int[] Steps { get; set; } = [30000];
    [Key("WARMUP_FACTOR")] public double WarmupFactor { get; set; } = 1.0 / 3;
    [Key("WARMUP_ITERS")] public int WarmupIters { get; set; } = 500;
    [Key("WARMUP_METHOD")] public string WarmupMethod { get; set; } = "linear";
    [Key("CHECKPOINT_PERIOD")] public int CheckpointPeriod { get; set; } = 2500;
    [Key("TEST_PERIOD")] public int TestPeriod { get; set; } = 0;
    [Key("IMS_PER_BATCH")] public int ImsPerBatch { get; set; } = 16;

    // Beyond maskrcnn-benchmark (README lists them).
    [Key("LR_SCHEDULER")] public string LrScheduler { get; set; } = "WarmupMultiStepLR";
    [Key("CLIP_GRADIENTS_NORM")] public double ClipGradientsNorm { get; set; } = 0.0; // 0: no clipping
    [Key("CHECKPOINTS_TO_KEEP")] public int CheckpointsToKeep { get; set; } = 3; // periodic ones; 0: keep all
}
