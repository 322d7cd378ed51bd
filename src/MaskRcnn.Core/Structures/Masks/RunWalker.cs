namespace MaskRcnn.Structures.Masks;

/// <summary>
/// A position in a run-length list, advanced the way cocoapi's merge and IoU loops advance: when the current run is
/// used up, at most one next run is taken per step (so a zero-length run costs a step of its own).
/// </summary>
ref struct RunWalker(ReadOnlySpan<uint> counts)
{
    readonly ReadOnlySpan<uint> _counts = counts;
    int _next = 1;

    /// <summary>Pixels left in the current run.</summary>
    public uint Left { get; private set; } = counts.IsEmpty ? 0 : counts[0];

    /// <summary>Whether the current run is of 1s.</summary>
    public bool Value { get; private set; }

    public void Advance(uint step)
    {
        Left -= step;
        if (Left == 0 && _next < _counts.Length)
        {
            Left = _counts[_next++];
            Value = !Value;
        }
    }
}
