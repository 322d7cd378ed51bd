namespace MaskRcnn.Checkpoint.Naming;

/// <summary>
/// The metadata that marks a safetensors file as this tool's checkpoint. Model tensors keep their bare names
/// (maskrcnn-benchmark's); anything else saved with them (optimizer, scheduler, RNG state) is named
/// <c>extra/NAME</c>, tensors and metadata alike, which no parameter name can be. It sits with the naming schemes
/// because it defines the <see cref="WeightScheme.MaskRcnn"/> scheme: detecting and mapping names read it.
/// </summary>
public static class CheckpointFormat
{
    public const string FormatKey = "format", VersionKey = "format_version", SchemeKey = "scheme",
        IterationKey = "iteration", ConvertedFromKey = "converted_from", ProducerKey = "producer", CategoriesKey = "categories";

    public const string FormatName = "maskrcnn-checkpoint";
    public const int Version = 1;

    public const string ExtraPrefix = "extra/";

    /// <summary>Whether the metadata marks a file as ours (any version).</summary>
    public static bool IsOurs(IReadOnlyDictionary<string, string> metadata) =>
        metadata.TryGetValue(FormatKey, out var format) && format == FormatName;

    /// <summary>Checks that a file of ours is one this version can read; returns its format version.</summary>
    public static int CheckReadable(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (!IsOurs(metadata))
            throw new WeightFileException($"{path}: not a maskrcnn checkpoint (its metadata has no {FormatKey}: {FormatName}); use 'maskrcnn convert' for other weights");
        if (!metadata.TryGetValue(VersionKey, out var text) || !int.TryParse(text, out var version) || version < 1)
            throw new WeightFileException($"{path}: checkpoint metadata {VersionKey} is missing or not a positive integer ('{text}')");
        if (version > Version)
            throw new WeightFileException($"{path}: checkpoint format version {version} is newer than this tool reads ({Version}); update maskrcnn");
        if (metadata.TryGetValue(SchemeKey, out var scheme) && scheme != WeightSchemeNames.MaskRcnn)
            throw new WeightFileException($"{path}: checkpoint names follow scheme '{scheme}', expected '{WeightSchemeNames.MaskRcnn}'");
        return version;
    }
}
