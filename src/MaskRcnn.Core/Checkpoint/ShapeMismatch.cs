namespace MaskRcnn.Checkpoint;

/// <summary>A weight whose shape in the file differs from the model's; <see cref="Skipped"/> for class-specific layers.</summary>
public sealed record ShapeMismatch(string Name, long[] FileShape, long[] ModelShape, bool Skipped)
{
    public override string ToString() => $"{Name}: file [{string.Join(", ", FileShape)}], model [{string.Join(", ", ModelShape)}]";
}
