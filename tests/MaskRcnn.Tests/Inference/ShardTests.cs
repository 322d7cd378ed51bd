using MaskRcnn.Config;
using MaskRcnn.Inference;

namespace MaskRcnn.Tests.Inference;

/// <summary>Shards partition a dataset into contiguous slices; test batches are formed as maskrcnn-benchmark's test loader forms them.</summary>
public class ShardTests
{
    [Fact]
    public void ShardsPartitionTheDatasetIntoContiguousBalancedSlices()
    {
        for (int total = 0; total <= 23; total++)
            for (int count = 1; count <= 7; count++)
            {
                var slices = Enumerable.Range(0, count).Select(i => new Shard(i, count).Range(total)).ToList();
                Assert.Equal(0, slices[0].Start);
                Assert.Equal(total, slices[^1].End);
                for (int i = 1; i < count; i++) Assert.Equal(slices[i - 1].End, slices[i].Start); // no gap, no overlap
                var sizes = slices.Select(s => s.End - s.Start).ToList();
                Assert.True(sizes.Min() >= 0 && sizes.Max() - sizes.Min() <= 1, $"{total} images in {count} shards: sizes {string.Join(",", sizes)}");
            }
        // Shard i starts at ⌊i·10/3⌋: 0, 3, 6.
        Assert.Equal([(0, 3), (3, 6), (6, 10)], Enumerable.Range(0, 3).Select(i => new Shard(i, 3).Range(10)));
    }

    [Fact]
    public void BadShardsAreOneLineErrors()
    {
        Assert.Equal("shard index 3 is outside 0..2", Assert.Throws<ConfigException>(() => new Shard(3, 3)).Message);
        Assert.Equal("shard count must be at least 1, got 0", Assert.Throws<ConfigException>(() => new Shard(0, 0)).Message);
        Assert.Equal(new Shard(0, 1), Shard.Whole);
    }

    [Fact]
    public void BatchesGroupLandscapeAndPortraitThenFollowTheirFirstImage()
    {
        int[] positions = [10, 11, 12, 13, 14, 15, 16];
        bool[] portrait = [false, true, false, false, true, true, false];
        // Landscape 10,12,13,16 → [10,12] [13,16]; portrait 11,14,15 → [11,14] [15]; ordered by first image.
        var grouped = InferenceBatchPlan.Make(positions, portrait, batchSize: 2, groupByAspect: true);
        Assert.Equal([[10, 12], [11, 14], [13, 16], [15]], grouped);
        var plain = InferenceBatchPlan.Make(positions, portrait, batchSize: 2, groupByAspect: false);
        Assert.Equal([[10, 11], [12, 13], [14, 15], [16]], plain);
        Assert.Empty(InferenceBatchPlan.Make([], [], 4, true));
    }
}
