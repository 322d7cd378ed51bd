using static TorchSharp.torch;

namespace MaskRcnn.Checkpoint;

/// <summary>
/// What a checkpoint carries besides the model weights: the iteration, and training state as named tensors
/// (optimizer moments, RNG state) and strings (scheduler settings, the config). Names are the caller's; they
/// are stored under <see cref="CheckpointFormat.ExtraPrefix"/>.
/// </summary>
public sealed record CheckpointExtras
{
    public long? Iteration { get; init; }
    public IReadOnlyDictionary<string, Tensor> Tensors { get; init; } = new Dictionary<string, Tensor>();
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
