using MaskRcnn.Config;

namespace MaskRcnn.Distributed;

/// <summary>A global batch size (SOLVER.IMS_PER_BATCH, TEST.IMS_PER_BATCH) split evenly over the processes.</summary>
public static class BatchShare
{
    /// <summary>Images per process of a batch of <paramref name="total"/> named <paramref name="key"/>; a batch that does
    /// not split is a config error naming both numbers.</summary>
    public static int Of(int total, int processes, string key) => total % processes == 0
        ? total / processes
        : throw new ConfigException($"{key} {total} does not split over {processes} processes: make it a multiple of {processes}");
}
