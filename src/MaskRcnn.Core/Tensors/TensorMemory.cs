using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tensors;

/// <summary>
/// Direct access to a CPU tensor's memory. Every TorchSharp element access is a native call, so
/// sequential work (greedy NMS, RLE, hand-written kernels) reads and writes a span instead.
/// </summary>
public static class TensorMemory
{
    /// <summary>A span over a contiguous CPU tensor's elements; T must match its dtype.</summary>
    public static Span<T> AsSpan<T>(this Tensor tensor) where T : unmanaged
    {
        CheckDirectlyReadable<T>(tensor);
        return tensor.numel() == 0 ? Span<T>.Empty : MemoryMarshal.Cast<byte, T>(tensor.bytes);
    }

    /// <summary>
    /// The address of a contiguous CPU tensor's first element (null when empty), valid while the tensor lives:
    /// for kernels over tensors of any size, where a span stops at 2 GB. Taken through a one-element view.
    /// </summary>
    public static unsafe T* Address<T>(this Tensor tensor) where T : unmanaged
    {
        CheckDirectlyReadable<T>(tensor);
        return (T*)RawAddress(tensor);
    }

    /// <summary><see cref="Address{T}"/> for a contiguous CPU tensor of any dtype.</summary>
    public static unsafe nint RawAddress(this Tensor tensor)
    {
        CheckContiguousCpu(tensor);
        if (tensor.numel() == 0) return 0;
        using var flat = tensor.view(-1);
        using var first = flat.narrow(0, 0, 1);
        return (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(first.bytes));
    }

    static void CheckContiguousCpu(Tensor tensor)
    {
        if (tensor.device_type != DeviceType.CPU)
            throw new ArgumentException($"expected a CPU tensor, got one on {tensor.device}");
        if (!tensor.is_contiguous())
            throw new ArgumentException("expected a contiguous tensor; call .contiguous() first");
    }

    static void CheckDirectlyReadable<T>(Tensor tensor) where T : unmanaged
    {
        CheckContiguousCpu(tensor);
        var expected = ScalarTypeOf<T>();
        if (tensor.dtype != expected)
            throw new ArgumentException($"expected a {expected} tensor, got {tensor.dtype}");
    }

    /// <summary>The same values as a contiguous CPU tensor of the given dtype (no copy when it already is one).</summary>
    public static Tensor ToCpuContiguous(this Tensor tensor, ScalarType dtype) =>
        tensor.to(dtype, torch.CPU).contiguous();

    public static ScalarType ScalarTypeOf<T>() where T : unmanaged => typeof(T) switch
    {
        var t when t == typeof(float) => ScalarType.Float32,
        var t when t == typeof(double) => ScalarType.Float64,
        var t when t == typeof(long) => ScalarType.Int64,
        var t when t == typeof(int) => ScalarType.Int32,
        var t when t == typeof(byte) => ScalarType.Byte,
        var t when t == typeof(bool) => ScalarType.Bool,
        var t when t == typeof(short) => ScalarType.Int16,
        _ => throw new NotSupportedException($"no tensor dtype for {typeof(T)}"),
    };
}
