using MaskRcnn.Visualization;

namespace MaskRcnn.Engine.Events;

/// <summary><c>OUTPUT_DIR/loss.png</c>, drawn when the run ends from the whole of metrics.jsonl (this run's records and
/// any earlier ones), so it comes after the <see cref="MetricsFileWriter"/> of the same folder. Lines of metrics.jsonl
/// that are not records are reported through <paramref name="say"/>.</summary>
public sealed class LossPlotWriter(string outputDir, Action<string> say) : ITrainingEventWriter
{
    public const string FileName = "loss.png";

    public void Write(TrainingProgress progress) { }

    public void Finish()
    {
        var metricsPath = Path.Combine(outputDir, MetricsFileWriter.FileName);
        if (File.Exists(metricsPath)) LossPlot.Write(metricsPath, Path.Combine(outputDir, FileName), skipped: say);
    }

    public void Dispose() { }
}
