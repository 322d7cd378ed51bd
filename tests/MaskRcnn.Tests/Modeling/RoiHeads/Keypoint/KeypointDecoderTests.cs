using MaskRcnn.Modeling.RoiHeads.Keypoint;
using TorchSharp;

namespace MaskRcnn.Tests.Modeling.RoiHeads.Keypoint;

/// <summary>Heatmaps to keypoints as maskrcnn-benchmark's heatmaps_to_keypoints, on hand-derived cases: the maximum of
/// each map resized to the RoI, at the pixel's centre, scaled back and shifted to the RoI, scored by the map there.</summary>
public class KeypointDecoderTests
{
    [Fact]
    public void AtTheRoisOwnSizeTheMapIsReadAsIs()
    {
        // RoI 8×8 at (10, 20), heatmaps 8×8: resizing to 8×8 is the identity (cubic weights 0, 1, 0, 0).
        var maps = torch.zeros(1, 2, 8, 8);
        maps[0, 0, 7, 5] = torch.tensor(3f);
        maps[0, 1, 2, 6] = torch.tensor(2f);
        maps[0, 1, 4, 1] = torch.tensor(2f); // a tie: the first in row-major order wins
        var (keypoints, scores) = KeypointDecoder.Decode(maps, torch.tensor(new float[] { 10, 20, 18, 28 }, [1, 4]));
        Assert.Equal([15.5f, 27.5f, 1f, 16.5f, 22.5f, 1f], keypoints.data<float>().ToArray());
        Assert.Equal([3f, 2f], scores.data<float>().ToArray());
    }

    [Fact]
    public void HalvingARampPeaksAtTheLastColumnWithKeysCubic()
    {
        // Value = column index on a 56×56 map, RoI 28×28: output column 27 reads source 54.5 through taps 53, 54, 55, 55
        // (the edge repeated) with weights −0.09375, 0.59375, 0.59375, −0.09375 → 54.59375; column 26 reads 52.5 exactly.
        var ramp = torch.arange(56, dtype: torch.float32).expand(56, 56).reshape(1, 1, 56, 56);
        var (keypoints, scores) = KeypointDecoder.Decode(ramp, torch.tensor(new float[] { 100, 50, 128, 78 }, [1, 4]));
        Assert.Equal(100 + 27.5f, keypoints[0, 0, 0].item<float>());
        Assert.Equal(54.59375f, scores[0, 0].item<float>(), 4);
    }

    [Fact]
    public void FractionalAndTinyRoisScaleBackBySizeOverRoundedSize()
    {
        var maps = torch.zeros(2, 1, 4, 4);
        maps[0, 0, 0, 0] = torch.tensor(1f); // a peak at the top-left stays the maximum at (0, 0) after resizing
        // RoI 1: width 20.5 → a 21-pixel map, correction 20.5/21; height 10 → 10. RoI 2: 0.25 wide → at least 1 pixel.
        var rois = torch.tensor(new float[] { 5, 6, 25.5f, 16, 3, 4, 3.25f, 4.5f }, [2, 4]);
        var (keypoints, _) = KeypointDecoder.Decode(maps, rois);
        Assert.Equal((float)(0.5 * (20.5f / 21f) + 5), keypoints[0, 0, 0].item<float>());
        Assert.Equal(6.5f, keypoints[0, 0, 1].item<float>());
        Assert.Equal(3.5f, keypoints[1, 0, 0].item<float>());
        Assert.Equal(4.5f, keypoints[1, 0, 1].item<float>());
    }
}
