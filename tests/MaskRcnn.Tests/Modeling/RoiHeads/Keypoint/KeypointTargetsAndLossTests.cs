using MaskRcnn.Modeling.RoiHeads.Keypoint;
using TorchSharp;

namespace MaskRcnn.Tests.Modeling.RoiHeads.Keypoint;

/// <summary>Keypoint heatmap targets (maskrcnn-benchmark's keypoints_to_heat_map) and the spatial cross-entropy, on
/// hand-derived cases.</summary>
public class KeypointTargetsAndLossTests
{
    [Fact]
    public void KeypointsBecomeCellsOfTheRoiHeatmap()
    {
        // RoI 32×32 at (10, 20), heatmap 8×8: a cell is 4 pixels.
        var rois = torch.tensor(new float[] { 10, 20, 42, 52 }, [1, 4]);
        var keypoints = torch.tensor(new float[]
        {
            10, 20, 2,    // top-left corner: cell (0, 0)
            42, 52, 2,    // on the right and bottom edges: the last cell (7, 7)
            21, 37, 1,    // x 11/4 → 2, y 17/4 → 4: 4·8 + 2, labelled though hidden
            9.9f, 30, 2,  // left of the RoI
            25, 30, 0,    // not labelled
            43, 30, 2,    // right of the RoI
        }, [1, 6, 3]);
        var (heatmaps, valid) = KeypointHeatmapTargets.Project(keypoints, rois, 8);
        Assert.Equal([0L, 63, 34, 0, 0, 0], heatmaps.data<long>().ToArray());
        Assert.Equal([1L, 1, 1, 0, 0, 0], valid.data<long>().ToArray());
    }

    [Fact]
    public void NoRoisGiveEmptyTargets()
    {
        var (heatmaps, valid) = KeypointHeatmapTargets.Project(torch.zeros(0, 17, 3), torch.zeros(0, 4), 56);
        Assert.Equal(0, heatmaps.numel());
        Assert.Equal(0, valid.numel());
    }

    [Fact]
    public void TheLossIsASoftmaxOverPositionsOfValidKeypointsOnly()
    {
        // Keypoint 0: logits 0 except ln 3 at its target cell 3 of 4 → softmax there 3/6 → loss ln 2.
        // Keypoint 1 is not a target: its logits must not count.
        var logits = torch.tensor(new float[] { 0, 0, 0, MathF.Log(3), 50, -50, 7, 1 }, [1, 2, 2, 2]);
        var loss = KeypointLoss.Compute(logits, torch.tensor(new long[] { 3, 0 }, [1, 2]), torch.tensor(new long[] { 1, 0 }, [1, 2]));
        Assert.Equal(Math.Log(2), loss.item<float>(), 6);
    }

    [Fact]
    public void WithoutTargetsTheLossIsZeroAndKeepsTheGraph()
    {
        var logits = torch.ones(1, 2, 2, 2, requires_grad: true);
        var loss = KeypointLoss.Compute(logits, torch.zeros(1, 2, dtype: torch.int64), torch.zeros(1, 2, dtype: torch.int64));
        Assert.Equal(0f, loss.item<float>());
        loss.backward();
        Assert.Equal(0f, logits.grad!.abs().sum().item<float>());
    }
}
