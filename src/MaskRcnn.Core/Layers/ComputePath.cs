namespace MaskRcnn.Layers;

/// <summary>How an op with a hand-written CPU kernel computes.</summary>
public enum ComputePath
{
    /// <summary>The C# kernel for float32 CPU tensors, whole-tensor ops otherwise (CUDA, float64).</summary>
    Auto,
    /// <summary>The C# kernel; only float32 CPU tensors.</summary>
    CpuKernel,
    /// <summary>Whole-tensor TorchSharp ops on any device, differentiable by autograd itself.</summary>
    TensorOps,
}
