namespace MaskRcnn.Engine;

/// <summary>How a training run behaves beyond the config: resuming, log cadence, and whether the console is a terminal.</summary>
public sealed record TrainingOptions(bool Resume = true, int LogPeriod = 20, bool LiveProgress = false);

/// <summary>A training run's end: how far it got and where its weights are.</summary>
public sealed record TrainingResult(long Iteration, string CheckpointPath, bool Interrupted, int SkippedSamples);
