using System.Runtime.InteropServices;

namespace MaskRcnn.Native;

/// <summary>
/// Asks LibTorch's CPU allocator for transparent huge pages on large allocations (its THP_MEM_ALLOC_ENABLE
/// switch: 2 MB-aligned blocks with madvise(MADV_HUGEPAGE)). Every fresh activation of a large network is
/// otherwise filled through one page fault per 4 KB page, and faults are dear in virtual machines: an R-50-FPN
/// forward at 800×1088 spent about half its time in them here. LibTorch reads the variable once, at its first
/// allocation, from the C environment (which .NET's Environment does not write), so this runs before anything
/// else touches LibTorch. A value the user set is left alone (THP_MEM_ALLOC_ENABLE=0 turns it off).
/// </summary>
public static partial class TorchHugePages
{
    public const string Variable = "THP_MEM_ALLOC_ENABLE";

    public static void Enable()
    {
        if (!OperatingSystem.IsLinux()) return;
        _ = SetEnv(Variable, "1", overwrite: 0); // overwrite 0: keeps a user's value; a failure only costs speed
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
