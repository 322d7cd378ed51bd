using System.Text.Json;

namespace MaskRcnn.Engine.Events;

/// <summary><c>OUTPUT_DIR/metrics.jsonl</c>: at each logged iteration one JSON line with the iteration, the learning
/// rate and every meter's window median, appended (a resumed run continues the same file).</summary>
public sealed class MetricsFileWriter(string outputDir) : ITrainingEventWriter
{
    public const string FileName = "metrics.jsonl";

    readonly StreamWriter file = new(Path.Combine(outputDir, FileName), append: true) { AutoFlush = true };

    public void Write(TrainingProgress progress)
    {
        if (!progress.Logged) return;
        var record = new Dictionary<string, object> { ["iteration"] = progress.Iteration, ["lr"] = progress.LearningRate };
        foreach (var (name, meter) in progress.Meters.Meters) record[name] = meter.Median;
        file.WriteLine(JsonSerializer.Serialize(record));
    }

    public void Finish() { }

    public void Dispose() => file.Dispose();

    /// <summary>A run killed while appending leaves metrics.jsonl without its last newline: end that line so the next
    /// record is not glued to it. True when it did.</summary>
    public static bool EndTornLine(string metricsPath)
    {
        if (!File.Exists(metricsPath)) return false;
        using var file = new FileStream(metricsPath, FileMode.Open, FileAccess.ReadWrite);
        if (file.Length == 0) return false;
        file.Seek(-1, SeekOrigin.End);
        if (file.ReadByte() == '\n') return false;
        file.WriteByte((byte)'\n');
        return true;
    }
}
