using MaskRcnn.SafeTensors;
using static TorchSharp.torch;

namespace MaskRcnn.Checkpoint;

/// <summary>A checkpoint of ours after its weights went into a model: the load report and the extras, whose tensors this object owns.</summary>
public sealed class LoadedCheckpoint(LoadReport report, int formatVersion, long? iteration, StateDict extraTensors, IReadOnlyDictionary<string, string> extraMetadata) : IDisposable
{
    public LoadReport Report { get; } = report;
    public int FormatVersion { get; } = formatVersion;
    public long? Iteration { get; } = iteration;

    /// <summary>Extra tensors under the names they were saved with (CPU tensors).</summary>
    public IReadOnlyDictionary<string, Tensor> ExtraTensors { get; } = extraTensors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
    public IReadOnlyDictionary<string, string> ExtraMetadata { get; } = extraMetadata;

    public void Dispose() => extraTensors.Dispose();
}
