using static TorchSharp.torch;

namespace MaskRcnn.SafeTensors;

/// <summary>One tensor's entry in a safetensors header; offsets are relative to the start of the data section.</summary>
public sealed record SafeTensorInfo(string Name, string Dtype, ScalarType Type, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;

    public string ShapeText => $"[{string.Join(", ", Shape)}]";
}
