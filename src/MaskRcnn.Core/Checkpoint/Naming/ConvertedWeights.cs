using MaskRcnn.SafeTensors;

namespace MaskRcnn.Checkpoint.Naming;

/// <summary>A weight file's tensors under our names, with what became of each of the file's names.</summary>
public sealed class ConvertedWeights(string source, WeightScheme scheme, StateDict weights, IReadOnlyList<NameMapping> mappings) : IDisposable
{
    public string Source { get; } = source;
    public WeightScheme Scheme { get; } = scheme;

    /// <summary>The tensors under our names; owned by this object.</summary>
    public StateDict Weights { get; } = weights;

    /// <summary>Every name of the file, in file order.</summary>
    public IReadOnlyList<NameMapping> Mappings { get; } = mappings;

    public IEnumerable<NameMapping> OfKind(NameMappingKind kind) => Mappings.Where(m => m.Kind == kind);

    public void Dispose() => Weights.Dispose();
}
