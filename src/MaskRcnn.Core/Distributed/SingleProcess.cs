namespace MaskRcnn.Distributed;

/// <summary>The process group of a run that is one process: every collective is the identity.</summary>
public sealed class SingleProcess : IProcessGroup
{
    public static SingleProcess Instance { get; } = new();

    SingleProcess() { }

    public int Rank => 0;
    public int Size => 1;
    public int LocalRank => 0;
    public int LocalSize => 1;

    public void AllReduceSum(Span<float> values) { }
    public void AllReduceSum(Span<double> values) { }
    public void Broadcast(Span<byte> data, int root = 0) => CheckRoot(root);
    public byte[][]? Gather(byte[] data, int root = 0) { CheckRoot(root); return [data]; }
    public void Barrier() { }
    public void Abort(int exitCode) => Environment.Exit(exitCode);
    public void Dispose() { }

    static void CheckRoot(int root) => ArgumentOutOfRangeException.ThrowIfNotEqual(root, 0);
}
