namespace MaskRcnn.Pickle;

/// <summary>A long bytes value left where it is in the file (<see cref="PickleReader"/>'s lazy bytes): arrays' data is
/// read once, straight into a tensor, and only if it is wanted.</summary>
public sealed record PickleByteRange(long Offset, long Length);
