using MaskRcnn.Engine.Events;

namespace MaskRcnn.Tests.Engine.Events;

/// <summary>A writer that remembers what it was given (the meters are shared and change: their loss is copied).</summary>
public sealed class RecordingWriter(List<string>? calls = null, string name = "") : ITrainingEventWriter
{
    public List<(long Iteration, bool Logged, double Loss)> Written { get; } = [];
    public int Finished { get; private set; }
    public int Disposed { get; private set; }

    public void Write(TrainingProgress progress)
    {
        Written.Add((progress.Iteration, progress.Logged, progress.Meters["loss"].Latest));
        calls?.Add($"{name}.Write({progress.Iteration})");
    }

    public void Finish()
    {
        Finished++;
        calls?.Add($"{name}.Finish");
    }

    public void Dispose()
    {
        Disposed++;
        calls?.Add($"{name}.Dispose");
    }
}
