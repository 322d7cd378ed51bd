using static MPI.Unsafe;

namespace MaskRcnn.Distributed;

/// <summary>
/// The ranks of an MPI job (MPI_COMM_WORLD) through MPI.NET's raw bindings: in-place all-reduces straight on the
/// caller's memory (no managed copies of gradient buffers), broadcasts and gathers of bytes. MPI is called from one
/// thread only (MPI_THREAD_FUNNELED). Disposing finalizes MPI.
/// </summary>
public sealed unsafe class MpiProcessGroup : IProcessGroup
{
    static readonly IntPtr InPlace = new(-1); // MPI_IN_PLACE in the MPICH ABI
    const int MaxCount = int.MaxValue / 8;   // elements per call, well inside MPI's int counts
    bool finalized;

    public int Rank { get; }
    public int Size { get; }
    public int LocalRank { get; }
    public int LocalSize { get; }

    MpiProcessGroup(int rank, int size, MpiLaunch launch) =>
        (Rank, Size, LocalRank, LocalSize) = (rank, size, launch.LocalRank, launch.LocalSize);

    /// <summary>Initializes MPI for a process the launcher started as <paramref name="launch"/>; MPI must agree.</summary>
    public static MpiProcessGroup Initialize(MpiLaunch launch)
    {
        MpiLibrary.Load();
        int argc = 0;
        byte** argv = null;
        Check(MPI_Init_thread(ref argc, ref argv, MPI_THREAD_FUNNELED, out _), "MPI_Init_thread");
        Check(MPI_Comm_rank(MPI_COMM_WORLD, out int rank), "MPI_Comm_rank");
        Check(MPI_Comm_size(MPI_COMM_WORLD, out int size), "MPI_Comm_size");
        if (rank != launch.Rank || size != launch.Size)
        {
            MPI_Finalize();
            throw new DistributedException($"the launcher says rank {launch.Rank} of {launch.Size} but MPI says rank {rank} of {size}: " +
                                           "the MPI library does not belong to this launcher (set MASKRCNN_MPI_LIBRARY to the launcher's libmpi)");
        }
        return new MpiProcessGroup(rank, size, launch);
    }

    public void AllReduceSum(Span<float> values)
    {
        fixed (float* p = values)
            for (int at = 0; at < values.Length; at += MaxCount)
                Check(MPI_Allreduce(InPlace, (IntPtr)(p + at), Math.Min(MaxCount, values.Length - at), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
    }

    public void AllReduceSum(Span<double> values)
    {
        fixed (double* p = values)
            for (int at = 0; at < values.Length; at += MaxCount)
                Check(MPI_Allreduce(InPlace, (IntPtr)(p + at), Math.Min(MaxCount, values.Length - at), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
    }

    public void Broadcast(Span<byte> data, int root = 0)
    {
        fixed (byte* p = data)
            for (int at = 0; at < data.Length; at += MaxCount)
                Check(MPI_Bcast((IntPtr)(p + at), Math.Min(MaxCount, data.Length - at), MPI_BYTE, root, MPI_COMM_WORLD), "MPI_Bcast");
    }

    public byte[][]? Gather(byte[] data, int root = 0)
    {
        var lengths = new int[Size];
        int mine = data.Length;
        fixed (int* received = lengths)
            Check(MPI_Gather((IntPtr)(&mine), 1, MPI_INT, (IntPtr)received, 1, MPI_INT, root, MPI_COMM_WORLD), "MPI_Gather");
        if (Rank != root)
        {
            fixed (byte* p = data)
                Check(MPI_Gatherv((IntPtr)p, mine, MPI_BYTE, IntPtr.Zero, null!, null!, MPI_BYTE, root, MPI_COMM_WORLD), "MPI_Gatherv");
            return null;
        }
        long total = lengths.Sum(l => (long)l);
        if (total > int.MaxValue) throw new DistributedException($"the ranks' results are {total} bytes together, more than one MPI gather carries");
        var offsets = new int[Size];
        for (int r = 1; r < Size; r++) offsets[r] = offsets[r - 1] + lengths[r - 1];
        var all = new byte[Math.Max(total, 1)];
        fixed (byte* send = data)
        fixed (byte* receive = all)
            Check(MPI_Gatherv((IntPtr)send, mine, MPI_BYTE, (IntPtr)receive, lengths, offsets, MPI_BYTE, root, MPI_COMM_WORLD), "MPI_Gatherv");
        return [.. Enumerable.Range(0, Size).Select(r => all.AsSpan(offsets[r], lengths[r]).ToArray())];
    }

    public void Barrier() => Check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");

    public void Abort(int exitCode) => MPI_Abort(MPI_COMM_WORLD, exitCode);

    public void Dispose()
    {
        if (finalized) return;
        finalized = true;
        MPI_Finalize();
    }

    static void Check(int code, string call)
    {
        if (code != 0) throw new DistributedException($"{call} failed with MPI error {code}");
    }
}
