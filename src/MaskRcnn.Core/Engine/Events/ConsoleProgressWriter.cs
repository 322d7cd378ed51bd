using System.Globalization;

namespace MaskRcnn.Engine.Events;

/// <summary>The console's progress line: on a terminal (<paramref name="live"/>) rewritten in place every iteration;
/// at each logged iteration said for good through <paramref name="say"/> (the console and log.txt).</summary>
public sealed class ConsoleProgressWriter(TextWriter console, bool live, Action<string> say) : ITrainingEventWriter
{
    public void Write(TrainingProgress progress)
    {
        if (progress.Logged) say(Line(progress));
        else if (live) console.Write("\r\u001b[K" + Line(progress));
    }

    public void Finish() { }

    public void Dispose() { }

    /// <summary>maskrcnn-benchmark's log line: iteration, ETA from the median iteration time, smoothed losses,
    /// learning rate, timings and the process's memory.</summary>
    public static string Line(TrainingProgress progress)
    {
        var meters = progress.Meters;
        double perIteration = meters["time"].Median;
        var eta = TimeSpan.FromSeconds(perIteration * (progress.MaxIter - progress.Iteration));
        long memory = Environment.WorkingSet / (1024 * 1024);
        var losses = meters.Format(meters.Meters.Keys.Where(k => k.StartsWith("loss")));
        string reduce = meters.Meters.ContainsKey("allreduce") ? string.Create(CultureInfo.InvariantCulture, $"  allreduce {meters["allreduce"].Median:F3}s") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"iter {progress.Iteration}/{progress.MaxIter}  eta {Duration.Format(eta)}  {losses}  lr {progress.LearningRate:G4}  time {perIteration:F3}s  data {meters["data"].Median:F3}s{reduce}  mem {memory} MB");
    }
}
