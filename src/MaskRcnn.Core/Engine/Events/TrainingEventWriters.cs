namespace MaskRcnn.Engine.Events;

/// <summary>The writers a training run feeds, in order: each iteration goes to every one, and the end of the run too.
/// <see cref="Default"/> is the set a run writes unless told otherwise.</summary>
public sealed class TrainingEventWriters(IEnumerable<ITrainingEventWriter> writers) : IDisposable
{
    readonly List<ITrainingEventWriter> all = writers.ToList();

    /// <summary>The console line (and log.txt, through <paramref name="say"/>), metrics.jsonl, TensorBoard event files
    /// and loss.png, all in <paramref name="outputDir"/>.</summary>
    public static IReadOnlyList<ITrainingEventWriter> Default(string outputDir, TrainingOptions options, TextWriter console, Action<string> say)
    {
        var built = new List<ITrainingEventWriter>();
        try
        {
            built.Add(new ConsoleProgressWriter(console, options.LiveProgress, say));
            built.Add(new MetricsFileWriter(outputDir));
            built.Add(new TensorBoardWriter(outputDir));
            built.Add(new LossPlotWriter(outputDir, say));
            return built;
        }
        catch
        {
            // A later writer failed to open (a full disk): close the files the earlier ones opened.
            foreach (var writer in built) writer.Dispose();
            throw;
        }
    }

    public void Write(TrainingProgress progress)
    {
        foreach (var writer in all) writer.Write(progress);
    }

    public void Finish()
    {
        foreach (var writer in all) writer.Finish();
    }

    public void Dispose()
    {
        foreach (var writer in all) writer.Dispose();
    }
}
