namespace MaskRcnn.Checkpoint.Naming;

public enum NameMappingKind
{
    /// <summary>Maps to a different name of ours.</summary>
    Renamed,
    /// <summary>Already one of our names.</summary>
    Kept,
    /// <summary>Known and deliberately not loaded (BatchNorm step counters, anchor buffers).</summary>
    Ignored,
    /// <summary>Not a name this scheme's map knows.</summary>
    Unknown,
}

/// <summary>What one name of a weight file becomes under our names; <see cref="Reason"/> says why a name is ignored.</summary>
public readonly record struct NameMapping(string Source, NameMappingKind Kind, string? Target, string? Reason = null)
{
    public static NameMapping To(string source, string target) =>
        new(source, source == target ? NameMappingKind.Kept : NameMappingKind.Renamed, target);

    public static NameMapping Ignore(string source, string reason) => new(source, NameMappingKind.Ignored, null, reason);

    public static NameMapping NotKnown(string source) => new(source, NameMappingKind.Unknown, null);
}
