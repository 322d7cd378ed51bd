namespace MaskRcnn.Distributed;

/// <summary>
/// The processes of one run (torch.distributed's process group): <see cref="Size"/> copies of the tool, rank 0 the one
/// that writes. Collectives are called by every rank in the same order with the same lengths; a rank that fails aborts
/// the job (<see cref="Abort"/>) rather than leaving the others waiting in a collective.
/// </summary>
public interface IProcessGroup : IDisposable
{
    int Rank { get; }
    int Size { get; }

    /// <summary>This process's rank among those on its machine, and how many there are (device and thread choice).</summary>
    int LocalRank { get; }
    int LocalSize { get; }

    bool IsMain => Rank == 0;

    /// <summary>Replaces <paramref name="values"/> on every rank by their element-wise sum over the ranks.</summary>
    void AllReduceSum(Span<float> values);

    void AllReduceSum(Span<double> values);

    /// <summary>Every rank's <paramref name="data"/> takes rank <paramref name="root"/>'s bytes (same length everywhere).</summary>
    void Broadcast(Span<byte> data, int root = 0);

    /// <summary>Rank <paramref name="root"/> receives every rank's bytes, in rank order; the others get null.</summary>
    byte[][]? Gather(byte[] data, int root = 0);

    void Barrier();

    /// <summary>Ends every process of the job with <paramref name="exitCode"/> (after this rank reported why).</summary>
    void Abort(int exitCode);
}
