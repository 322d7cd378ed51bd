using MaskRcnn.Distributed;
using MaskRcnn.Tests.Inference;

namespace MaskRcnn.Tests.Distributed;

public class ProcessGroupsTests
{
    /// <summary>Rank 3 of 4, second on its machine: only what the device choice reads.</summary>
    sealed class RankThree : IProcessGroup
    {
        public int Rank => 3;
        public int Size => 4;
        public int LocalRank => 1;
        public int LocalSize => 2;
        public void AllReduceSum(Span<float> values) => throw new NotSupportedException();
        public void AllReduceSum(Span<double> values) => throw new NotSupportedException();
        public void Broadcast(Span<byte> data, int root = 0) => throw new NotSupportedException();
        public byte[][]? Gather(byte[] data, int root = 0) => throw new NotSupportedException();
        public void Barrier() => throw new NotSupportedException();
        public void Abort(int exitCode) => throw new NotSupportedException();
        public void Dispose() { }
    }

    [Theory]
    [InlineData("cuda", "cuda:1")]
    [InlineData("cuda:0", "cuda:0")] // said explicitly: kept
    [InlineData("cpu", "cpu")]
    public void EachRankTakesTheGpuOfItsLocalRank(string configured, string expected)
    {
        var cfg = TinyModel.Config("MODEL.DEVICE", configured);
        ProcessGroups.AssignDevice(cfg, new RankThree());
        Assert.Equal(expected, cfg.Model.Device);
        var alone = TinyModel.Config("MODEL.DEVICE", configured);
        ProcessGroups.AssignDevice(alone, SingleProcess.Instance);
        Assert.Equal(configured, alone.Model.Device);
    }

    [Fact]
    public void AloneEveryCollectiveIsTheIdentity()
    {
        var group = SingleProcess.Instance;
        Span<double> values = [1.5, -2];
        group.Mean(values);
        Assert.Equal([1.5, -2], values.ToArray());
        Assert.True(group.Any(true));
        Assert.False(group.Any(false));
        Assert.Equal(7, group.Agree(7, (_, _, _) => "never"));
        Assert.Equal(9, group.FromRoot(9));
        Assert.Equal([[1, 2]], group.Gather([1, 2]));
    }
}
