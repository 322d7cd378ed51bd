using MaskRcnn.Checkpoint.Naming;

namespace MaskRcnn.Checkpoint;

/// <summary>Weights that do not fit the model; nothing was copied. The full table is in <see cref="Report"/>.</summary>
public sealed class WeightLoadException(LoadReport report)
    : WeightFileException($"{report.Source}: weights ({report.Scheme.Name()} names) do not fit the model: {report.ErrorSummary()}")
{
    public LoadReport Report { get; } = report;
}
