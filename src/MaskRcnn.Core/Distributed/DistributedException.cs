namespace MaskRcnn.Distributed;

/// <summary>A multi-process launch that cannot work as launched (no usable MPI library, an MPI of another ABI, ranks
/// that disagree): one line saying what to change.</summary>
public sealed class DistributedException(string message) : Exception(message);
