using static TorchSharp.torch;

namespace MaskRcnn.WeightFiles;

/// <summary>One tensor a weight file holds, known before its data is read.</summary>
public sealed record WeightEntry(string Name, long[] Shape, ScalarType Type);

/// <summary>
/// An open weight file of any format this tool reads (<see cref="WeightFile.Open"/>): its tensors' names, shapes and
/// dtypes up front, so that a file can be checked against a model before any data is read, and each tensor on demand.
/// </summary>
public interface IWeightFile : IDisposable
{
    string Path { get; }

    /// <summary>What the file is, for messages: "safetensors", "PyTorch zip", "PyTorch legacy", "pickle".</summary>
    string Format { get; }

    /// <summary>The tensors, in file order.</summary>
    IReadOnlyList<WeightEntry> Entries { get; }

    /// <summary>The file's string metadata (safetensors' <c>__metadata__</c>; for pickles, where the tensors were found).</summary>
    IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>One tensor as a new contiguous CPU tensor of its stored dtype; the caller owns it.</summary>
    Tensor Read(string name);
}
