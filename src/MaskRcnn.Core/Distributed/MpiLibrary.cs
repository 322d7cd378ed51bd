using System.Reflection;
using System.Runtime.InteropServices;

namespace MaskRcnn.Distributed;

/// <summary>
/// The MPI library behind MPI.NET. Its P/Invokes name Microsoft MPI's <c>msmpi.dll</c>; MS-MPI and MPICH share the MPICH
/// ABI (handle values, MPI_IN_PLACE), so on Linux the name maps to the first MPICH-ABI library found: the one named by
/// <c>MASKRCNN_MPI_LIBRARY</c>, MPICH's <c>libmpich.so.12</c>, or <c>libmpi.so.12</c> (Intel MPI, MVAPICH, Cray MPICH).
/// On Windows MS-MPI's own msmpi.dll is used as is.
/// </summary>
public static class MpiLibrary
{
    public const string EnvironmentVariable = "MASKRCNN_MPI_LIBRARY";
    static readonly string[] Candidates = ["libmpich.so.12", "libmpi.so.12"];
    static readonly Lock Gate = new();
    static IntPtr handle;
    static bool registered;

    /// <summary>Loads the library (or fails with one line saying what to install) and points MPI.NET at it.</summary>
    public static void Load()
    {
        lock (Gate)
        {
            if (registered) return;
            if (!OperatingSystem.IsWindows())
            {
                handle = Find();
                NativeLibrary.SetDllImportResolver(typeof(MPI.Unsafe).Assembly, Resolve);
            }
            registered = true;
        }
    }

    static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name.StartsWith("msmpi", StringComparison.OrdinalIgnoreCase) ? handle : IntPtr.Zero;

    static IntPtr Find()
    {
        var tried = new List<string>();
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } chosen)
        {
            if (NativeLibrary.TryLoad(chosen, out var h)) return h;
            throw new DistributedException($"{EnvironmentVariable}={chosen} could not be loaded: name an MPICH-ABI libmpi (e.g. /usr/lib/x86_64-linux-gnu/libmpich.so.12)");
        }
        foreach (var name in Candidates)
        {
            if (NativeLibrary.TryLoad(name, out var h)) return h;
            tried.Add(name);
        }
        string openMpi = NativeLibrary.TryLoad("libmpi.so.40", out var o) && Free(o)
            ? " (Open MPI's libmpi.so.40 is here, but its ABI is not MPICH's)" : "";
        throw new DistributedException($"launched as several MPI processes but no MPICH-ABI MPI library was found (tried {string.Join(", ", tried)}){openMpi}: " +
                                       $"install MPICH (apt-get install mpich) or set {EnvironmentVariable} to your MPI's MPICH-ABI libmpi");
    }

    static bool Free(IntPtr h)
    {
        NativeLibrary.Free(h);
        return true;
    }
}
