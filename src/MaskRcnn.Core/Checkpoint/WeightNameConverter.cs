using static TorchSharp.torch;

namespace MaskRcnn.Checkpoint;

/// <summary>Renames a state dict from a scheme to ours, recording what happened to every name.</summary>
public static class WeightNameConverter
{
    public static NameMapping ToOurs(WeightScheme scheme, string name) => scheme switch
    {
        WeightScheme.MaskRcnn => NameMapping.To(name, name),
        WeightScheme.MaskRcnnBenchmark => MaskRcnnBenchmarkNames.ToOurs(name),
        WeightScheme.Torchvision => TorchvisionNames.ToOurs(name),
        _ => throw new ArgumentOutOfRangeException(nameof(scheme)),
    };

    /// <summary>
    /// Consumes <paramref name="source"/>: its tensors under our names go into the result (which owns them);
    /// ignored and unknown ones are disposed. For our own checkpoints the <c>extra/</c> entries are not model
    /// weights and are ignored here (<see cref="CheckpointFile"/> reads them). Two names mapping to one is an error.
    /// </summary>
    public static ConvertedWeights ToOurs(string path, StateDict source, WeightScheme? scheme = null)
    {
        var detected = scheme ?? WeightSchemeDetector.Detect(path, source.Names, source.Metadata);
        var mappings = new List<NameMapping>(source.Count);
        var result = new StateDict(source.Metadata);
        var origin = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = source.Release();
        try
        {
            foreach (var (name, tensor) in entries)
            {
                var mapping = detected == WeightScheme.MaskRcnn && name.StartsWith(CheckpointFormat.ExtraPrefix, StringComparison.Ordinal)
                    ? NameMapping.Ignore(name, "checkpoint extra, not a model weight")
                    : ToOurs(detected, name);
                mappings.Add(mapping);
                if (mapping.Target is not { } target) continue;
                if (!origin.TryAdd(target, name))
                    throw new WeightFileException($"{path}: '{origin[target]}' and '{name}' both map to '{target}'");
                result.Add(target, tensor);
            }
        }
        catch
        {
            result.Release();
            foreach (var (_, tensor) in entries) tensor.Dispose();
            throw;
        }
        var kept = new HashSet<Tensor>(result.Select(e => e.Value), ReferenceEqualityComparer.Instance);
        foreach (var (_, tensor) in entries)
            if (!kept.Contains(tensor)) tensor.Dispose();
        return new ConvertedWeights(path, detected, result, mappings);
    }
}
