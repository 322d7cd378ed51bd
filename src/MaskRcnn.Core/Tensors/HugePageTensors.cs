using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tensors;

/// <summary>
/// Large CPU outputs whose memory Linux backs with 2 MB pages. Filling fresh memory is dominated by first-touch
/// page faults, one per 4 KB page, and they are dear in virtual machines (filling 350 MB: 650 ms with 4 KB
/// pages, 20 ms with 2 MB pages, on the Firecracker VMs here). Transparent huge pages are often enabled
/// only on request (madvise), so the request is made before the first touch. Elsewhere it is a no-op.
/// </summary>
public static partial class HugePageTensors
{
    const int MadvHugePage = 14;
    const long HugePage = 2 << 20;

    /// <summary>An uninitialised contiguous CPU tensor; when large, its whole 2 MB-aligned interior is advised for huge pages.</summary>
    public static Tensor Empty(ReadOnlySpan<long> shape, ScalarType dtype)
    {
        var tensor = torch.empty(shape, dtype);
        long bytes = tensor.numel() * tensor.ElementSize;
        if (!OperatingSystem.IsLinux() || bytes < 2 * HugePage) return tensor;
        long start = tensor.RawAddress();
        long alignedStart = (start + HugePage - 1) & ~(HugePage - 1);
        long alignedEnd = (start + bytes) & ~(HugePage - 1);
        if (alignedEnd > alignedStart)
            _ = Madvise((nint)alignedStart, (nuint)(alignedEnd - alignedStart), MadvHugePage); // only advice: failure changes nothing
        return tensor;
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
