using static TorchSharp.torch;

namespace MaskRcnn.Structures;

/// <summary>A structure that owns tensors, so they can be moved out of a dispose scope with it.</summary>
public interface ITensorHolder
{
    IEnumerable<Tensor> Tensors { get; }
}
