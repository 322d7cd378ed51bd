namespace MaskRcnn.Engine.Events;

/// <summary>
/// One sink of a training run's progress, as detectron2's EventWriter: the loop hands every writer each iteration's
/// <see cref="TrainingProgress"/> and knows nothing of consoles or files, so a run can write to fewer places (a
/// distributed run on all but one process: none) without touching the loop.
/// </summary>
public interface ITrainingEventWriter : IDisposable
{
    /// <summary>After each iteration; most writers act only when <see cref="TrainingProgress.Logged"/>.</summary>
    void Write(TrainingProgress progress);

    /// <summary>The run ended with a checkpoint (finished or stopped on request): write what sums it up. Not called
    /// when training fails; <see cref="IDisposable.Dispose"/> is, either way.</summary>
    void Finish();
}
