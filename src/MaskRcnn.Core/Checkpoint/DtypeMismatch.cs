using MaskRcnn.SafeTensors;
using static TorchSharp.torch;

namespace MaskRcnn.Checkpoint;

/// <summary>A weight stored as integers or booleans for a floating-point parameter or buffer of the model: an error,
/// since casting would load counts or flags as if they were weights.</summary>
public sealed record DtypeMismatch(string Name, ScalarType FileType, ScalarType ModelType)
{
    public override string ToString() => $"{Name}: file {SafeTensorsDtype.NameOf(FileType)}, model {SafeTensorsDtype.NameOf(ModelType)}";
}
