namespace MaskRcnn.Engine.Events;

/// <summary>Where a training run is after an iteration, as every <see cref="ITrainingEventWriter"/> sees it:
/// <paramref name="Iteration"/> iterations of <paramref name="MaxIter"/> are done, the next runs at
/// <paramref name="LearningRate"/>, and <paramref name="Meters"/> holds the smoothed losses and timings.
/// <paramref name="Logged"/> marks the iterations a record is kept for: every --log-period-th and the last.</summary>
public sealed record TrainingProgress(long Iteration, int MaxIter, double LearningRate, MetricLogger Meters, bool Logged);
