using MaskRcnn.Data.Coco;
using MaskRcnn.Inference;
using MaskRcnn.Structures.Masks;

namespace MaskRcnn.Tests.Distributed;

/// <summary>Ranks' inference results travel to rank 0 as bytes and join into the whole dataset's, every number exact.</summary>
public class InferenceResultCodecTests
{
    static DatasetInferenceResult Part(long firstId, bool masks, double seconds, bool keypoints = false)
    {
        var mask = new Rle(5, 4, [3u, 7, 2, 8]);
        var bbox = new List<CocoResult>
        {
            new(firstId, 1, new CocoBox(0.1 + 1e-12, 2.25, 3.0000001, 4.5), 0.987654321012345),
            new(firstId + 1, 3, new CocoBox(10, 20, 0.5, 1.0 / 3), 0.05),
        };
        var segm = masks ? bbox.Select(r => r with { Segmentation = mask }).ToList() : null;
        // 17 keypoints with values JSON would round (thirds, float32 widenings).
        var points = keypoints
            ? bbox.Select((r, i) => r with { Keypoints = Enumerable.Range(0, 51).Select(j => j % 3 == 2 ? 1 : (double)(float)(firstId + i + j / 3.0)).ToArray() }).ToList()
            : null;
        return new DatasetInferenceResult([firstId, firstId + 1], bbox, segm, points, [firstId + 7], TimeSpan.FromSeconds(seconds));
    }

    [Fact]
    public void PartsJoinInRankOrderExactly()
    {
        var (a, b) = (Part(1, masks: true, 2.5), Part(10, masks: true, 4));
        var joined = InferenceResultCodec.Join([InferenceResultCodec.Encode(a), InferenceResultCodec.Encode(b)]);
        Assert.Equal([1L, 2, 10, 11], joined.ImageIds);
        Assert.Equal([8L, 17], joined.SkippedImageIds);
        Assert.Equal(a.Bbox.Concat(b.Bbox), joined.Bbox);
        Assert.Equal(a.Segm!.Select(r => r with { Segmentation = null }).Concat(b.Segm!.Select(r => r with { Segmentation = null })),
                     joined.Segm!.Select(r => r with { Segmentation = null }));
        Assert.All(joined.Segm!, r => Assert.Equal(new Rle(5, 4, [3u, 7, 2, 8]), r.Segmentation));
        Assert.Equal(TimeSpan.FromSeconds(4), joined.Elapsed); // the slowest rank's
    }

    [Fact]
    public void BoxOnlyResultsStayBoxOnly()
    {
        var joined = InferenceResultCodec.Join([InferenceResultCodec.Encode(Part(1, masks: false, 1))]);
        Assert.Null(joined.Segm);
        Assert.Null(joined.Keypoints);
        Assert.Equal(2, joined.Bbox.Count);
    }

    [Fact]
    public void KeypointsJoinInRankOrderExactly()
    {
        var (a, b) = (Part(1, masks: false, 1, keypoints: true), Part(10, masks: false, 2, keypoints: true));
        var joined = InferenceResultCodec.Join([InferenceResultCodec.Encode(a), InferenceResultCodec.Encode(b)]);
        Assert.Null(joined.Segm);
        var expected = a.Keypoints!.Concat(b.Keypoints!).ToList();
        Assert.Equal(expected.Count, joined.Keypoints!.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i] with { Keypoints = null }, joined.Keypoints[i] with { Keypoints = null });
            Assert.Equal(expected[i].Keypoints!, joined.Keypoints[i].Keypoints!); // bit for bit
        }
    }
}
