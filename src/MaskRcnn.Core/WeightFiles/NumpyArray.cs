using MaskRcnn.Pickle;
using static TorchSharp.torch;

namespace MaskRcnn.WeightFiles;

/// <summary>A numpy dtype as a pickle builds it: <c>numpy.dtype('f4', …)</c>, then its byte order from BUILD.</summary>
sealed class NumpyDtype(string code)
{
    public string Code { get; } = code;
    public char ByteOrder { get; set; } = '=';
}

/// <summary>A numpy array made by <c>_reconstruct</c>, empty until BUILD gives it shape, dtype and data.</summary>
sealed class PendingNumpyArray;

/// <summary>A numpy array read from a pickle, in C or Fortran order: its data in memory (<paramref name="Bytes"/>) or
/// where it lies in the file (<paramref name="Range"/>).</summary>
sealed record NumpyArray(ScalarType Type, int ItemSize, long[] Shape, byte[]? Bytes, PickleByteRange? Range, bool Fortran)
{
    public long ByteLength => Bytes?.LongLength ?? Range!.Length;
}
