using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Layers;

/// <summary>Raw access to the memory of contiguous CPU tensors, for kernels that must not make a native call per element.</summary>
static class NativeTensorMemory
{
    /// <summary>
    /// The address of the first element of a contiguous float32 CPU tensor; valid while the tensor lives.
    /// Read through a one-element view, as <see cref="Tensor.bytes"/> refuses spans over 2 GB.
    /// </summary>
    public static unsafe float* Floats(Tensor tensor)
    {
        if (tensor.device_type != DeviceType.CPU || tensor.dtype != ScalarType.Float32 || !tensor.is_contiguous())
            throw new InvalidOperationException("a kernel needs a contiguous float32 CPU tensor");
        if (tensor.numel() == 0) return null;
        using var flat = tensor.view(-1);
        using var first = flat.narrow(0, 0, 1);
        return (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(first.bytes));
    }

    /// <summary>The values of a small contiguous tensor, copied out in one call.</summary>
    public static float[] ToFloatArray(Tensor tensor)
    {
        using var cpu = tensor.to(ScalarType.Float32, torch.CPU).contiguous();
        return cpu.data<float>().ToArray();
    }
}
