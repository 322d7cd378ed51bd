namespace MaskRcnn.Checkpoint.Naming;

/// <summary>
/// A weight file's names mapped to ours, before any tensor is read: the scheme they were read in, what became of each
/// name (in file order), and for each of our names the file name it comes from.
/// </summary>
public sealed class MappedNames
{
    MappedNames(WeightScheme scheme, IReadOnlyList<NameMapping> mappings, IReadOnlyDictionary<string, string> sourceOf) =>
        (Scheme, Mappings, SourceOf) = (scheme, mappings, sourceOf);

    public WeightScheme Scheme { get; }
    public IReadOnlyList<NameMapping> Mappings { get; }

    /// <summary>Our name → the file's name, for every name that maps to one of ours.</summary>
    public IReadOnlyDictionary<string, string> SourceOf { get; }

    /// <summary>Maps <paramref name="names"/> (the scheme detected unless given). For our own checkpoints the <c>extra/</c>
    /// entries are not model weights and are ignored (the checkpoint reader takes them). Two names mapping to one
    /// is an error naming both. <paramref name="res5InBoxHead"/>: where a Caffe2 file's res5 goes
    /// (<see cref="WeightNameConverter.ForFile"/>).</summary>
    public static MappedNames Of(string path, IReadOnlyCollection<string> names, IReadOnlyDictionary<string, string> metadata, WeightScheme? scheme = null,
        bool? res5InBoxHead = null)
    {
        var detected = scheme ?? WeightSchemeDetector.Detect(path, names, metadata);
        var toOurs = WeightNameConverter.ForFile(detected, names, res5InBoxHead);
        var mappings = new List<NameMapping>(names.Count);
        var sourceOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var mapping = detected == WeightScheme.MaskRcnn && name.StartsWith(CheckpointFormat.ExtraPrefix, StringComparison.Ordinal)
                ? NameMapping.Ignore(name, "checkpoint extra, not a model weight")
                : toOurs(name);
            mappings.Add(mapping);
            if (mapping.Target is not { } target) continue;
            if (!sourceOf.TryAdd(target, name))
                throw new WeightFileException($"{path}: '{sourceOf[target]}' and '{name}' both map to '{target}'");
        }
        return new MappedNames(detected, mappings, sourceOf);
    }
}
