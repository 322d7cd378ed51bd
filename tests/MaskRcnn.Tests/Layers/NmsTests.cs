using MaskRcnn.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Layers;

public class NmsTests
{
    static readonly TensorFixture Reference = TensorFixture.Load("ops/nms.json");

    public static TheoryData<string> GreedyCases() =>
        ["random300,iou=0.3", "random300,iou=0.5", "random300,iou=0.7", "ties", "clustered", "at_threshold", "empty"];

    [Theory]
    [MemberData(nameof(GreedyCases))]
    public void CpuPathKeepsExactlyWhatTorchvisionKeeps(string name)
    {
        var c = Reference[name];
        var keep = Nms.Greedy(c.Tensor("boxes"), c.Tensor("scores"), c.Double("iou_threshold"));
        Assert.Equal(c.Tensor("keep").data<long>().ToArray(), keep.data<long>().ToArray());
    }

    [Theory]
    [MemberData(nameof(GreedyCases))]
    public void DevicePathKeepsExactlyWhatTorchvisionKeeps(string name)
    {
        var c = Reference[name];
        if (c.Tensor("boxes").shape[0] == 0) return; // Greedy handles the empty case before choosing a path
        var keep = Nms.GreedyOnDevice(c.Tensor("boxes"), c.Tensor("scores"), c.Double("iou_threshold"));
        Assert.Equal(c.Tensor("keep").data<long>().ToArray(), keep);
    }

    [Fact]
    public void BatchedKeepsWhatTorchvisionKeepsInTheSameOrder()
    {
        var c = Reference["batched"];
        var expected = c.Tensor("keep").data<long>().ToArray();
        var cpu = Nms.Batched(c.Tensor("boxes"), c.Tensor("scores"), c.Tensor("idxs"), c.Double("iou_threshold"));
        Assert.Equal(expected, cpu.data<long>().ToArray());
        var device = Nms.BatchedOnDevice(c.Tensor("boxes"), c.Tensor("scores"), c.Tensor("idxs"), c.Double("iou_threshold"));
        Assert.Equal(expected, device.data<long>().ToArray());
    }

    [Fact]
    public void EqualScoresAreVisitedByIndex()
    {
        // Two identical boxes with the same score: the lower index wins.
        var boxes = torch.tensor(new float[] { 0, 0, 10, 10, 0, 0, 10, 10, 20, 20, 30, 30 }, [3, 4]);
        var scores = torch.tensor(new float[] { 0.5f, 0.5f, 0.5f });
        Assert.Equal(new long[] { 0, 2 }, Nms.Greedy(boxes, scores, 0.5).data<long>().ToArray());
    }

    [Fact]
    public void BadShapesAreRefused()
    {
        Assert.Throws<ArgumentException>(() => Nms.Greedy(torch.zeros(3, 5), torch.zeros(3), 0.5));
        Assert.Throws<ArgumentException>(() => Nms.Greedy(torch.zeros(3, 4), torch.zeros(2), 0.5));
    }
}

public class SoftNmsTests
{
    // Three boxes: A [0,0,10,10] 0.9, B [0,0,10,5] 0.8 (IoU with A = 50/100 = 0.5), C [20,20,30,30] 0.7 (disjoint).
    static readonly Tensor Boxes = torch.tensor(new float[] { 0, 0, 10, 10, 0, 0, 10, 5, 20, 20, 30, 30 }, [3, 4]);
    static readonly Tensor Scores = torch.tensor(new float[] { 0.9f, 0.8f, 0.7f });

    [Fact]
    public void LinearDecaysOverlapsAboveTheThreshold()
    {
        // A is kept first; B decays to 0.8 · (1 − 0.5) = 0.4, C is untouched: order A, C, B.
        var (keep, scores) = SoftNms.Apply(Boxes, Scores, SoftNmsMethod.Linear, iouThreshold: 0.3);
        Assert.Equal(new long[] { 0, 2, 1 }, keep.data<long>().ToArray());
        TensorAssert.Close(torch.tensor(new float[] { 0.9f, 0.7f, 0.4f }), scores);
    }

    [Fact]
    public void LinearLeavesOverlapsBelowTheThreshold()
    {
        var (keep, scores) = SoftNms.Apply(Boxes, Scores, SoftNmsMethod.Linear, iouThreshold: 0.6);
        Assert.Equal(new long[] { 0, 1, 2 }, keep.data<long>().ToArray());
        TensorAssert.Close(Scores, scores);
    }

    [Fact]
    public void GaussianDecaysEveryOverlap()
    {
        // B: 0.8 · exp(−0.25 / 0.5) = 0.48522; still above C's 0.7? No: 0.485 < 0.7, so C comes second.
        var (keep, scores) = SoftNms.Apply(Boxes, Scores, SoftNmsMethod.Gaussian, sigma: 0.5);
        Assert.Equal(new long[] { 0, 2, 1 }, keep.data<long>().ToArray());
        TensorAssert.Close(torch.tensor(new float[] { 0.9f, 0.7f, 0.8f * MathF.Exp(-0.5f) }), scores);
    }

    [Fact]
    public void BoxesDecayedBelowTheScoreThresholdAreDropped()
    {
        var (keep, _) = SoftNms.Apply(Boxes, Scores, SoftNmsMethod.Linear, iouThreshold: 0.3, scoreThreshold: 0.5);
        Assert.Equal(new long[] { 0, 2 }, keep.data<long>().ToArray());
    }
}

public class FastNmsTests
{
    [Fact]
    public void SuppressesByAnyHigherScoringBoxEvenASuppressedOne()
    {
        // One class, boxes in score order A, B, C: IoU(A,B) = 0.6, IoU(B,C) = 0.6, IoU(A,C) = 40/120 = 1/3 (strips of height 10).
        // Greedy NMS at 0.5 keeps A and C (B is suppressed, so it cannot suppress C); Fast NMS also drops C.
        var boxes = torch.tensor(new float[] { 0, 0, 8, 10, 2, 0, 10, 10, 4, 0, 12, 10 }, [3, 4]);
        var scores = torch.tensor(new float[] { 0.9f, 0.8f, 0.7f }, [1, 3]);
        var greedy = Nms.Greedy(boxes, scores[0], 0.5).data<long>().ToArray();
        Assert.Equal(new long[] { 0, 2 }, greedy);
        var fast = FastNms.Apply(boxes, scores, iouThreshold: 0.5, scoreThreshold: 0.05);
        Assert.Equal(new long[] { 0 }, fast.BoxIndices.data<long>().ToArray());
    }

    [Fact]
    public void ClassesAreIndependentAndResultsAreSortedByScore()
    {
        // The same two overlapping boxes scored for two classes; in each class the better one survives.
        var boxes = torch.tensor(new float[] { 0, 0, 10, 10, 1, 0, 11, 10 }, [2, 4]);
        var scores = torch.tensor(new float[] { 0.9f, 0.3f, 0.2f, 0.6f }, [2, 2]);
        var r = FastNms.Apply(boxes, scores, iouThreshold: 0.5, scoreThreshold: 0.05);
        Assert.Equal(new long[] { 0, 1 }, r.Classes.data<long>().ToArray());
        Assert.Equal(new long[] { 0, 1 }, r.BoxIndices.data<long>().ToArray());
        TensorAssert.Close(torch.tensor(new float[] { 0.9f, 0.6f }), r.Scores);
        TensorAssert.Equal(boxes, r.Boxes);
    }

    [Fact]
    public void ScoreThresholdAndMaxDetections()
    {
        var boxes = torch.tensor(new float[] { 0, 0, 1, 1, 5, 5, 6, 6, 10, 10, 11, 11 }, [3, 4]);
        var scores = torch.tensor(new float[] { 0.9f, 0.04f, 0.5f }, [1, 3]);
        Assert.Equal(new long[] { 0, 2 }, FastNms.Apply(boxes, scores, scoreThreshold: 0.05).BoxIndices.data<long>().ToArray());
        Assert.Equal(new long[] { 0 }, FastNms.Apply(boxes, scores, scoreThreshold: 0.05, maxDetections: 1).BoxIndices.data<long>().ToArray());
    }
}
