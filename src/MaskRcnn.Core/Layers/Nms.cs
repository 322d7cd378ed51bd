using MaskRcnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Layers;

/// <summary>
/// Greedy non-maximum suppression with torchvision's rules: boxes are visited by decreasing score (ties
/// by lower index), and a box is dropped when its IoU with a kept box is strictly greater than the
/// threshold, computed in float32 as torchvision does. CPU tensors take a plain C# loop over spans;
/// other devices compute the IoU matrix on the device and only the greedy pass on the host.
/// </summary>
public static class Nms
{
    /// <summary>Indices of the kept boxes [K] int64, by decreasing score.</summary>
    public static Tensor Greedy(Tensor boxes, Tensor scores, double iouThreshold)
    {
        CheckShapes(boxes, scores);
        var device = boxes.device;
        if (boxes.shape[0] == 0) return torch.empty(0, ScalarType.Int64, device);
        long[] keep;
        if (boxes.device_type == DeviceType.CPU)
        {
            using var b = boxes.ToCpuContiguous(ScalarType.Float32);
            using var s = scores.ToCpuContiguous(ScalarType.Float32);
            keep = GreedyCpu(b.AsSpan<float>(), s.AsSpan<float>(), null, iouThreshold);
        }
        else keep = GreedyOnDevice(boxes, scores, iouThreshold);
        return torch.tensor(keep, ScalarType.Int64, device);
    }

    /// <summary>NMS within each class (<paramref name="classes"/> [N] int64): boxes of different classes never suppress each other.
    /// Kept indices [K] int64 by decreasing score.</summary>
    public static Tensor Batched(Tensor boxes, Tensor scores, Tensor classes, double iouThreshold)
    {
        CheckShapes(boxes, scores);
        if (classes.shape.Length != 1 || classes.shape[0] != scores.shape[0])
            throw new ArgumentException($"NMS classes must be [{scores.shape[0]}], got [{string.Join(",", classes.shape)}]");
        var device = boxes.device;
        if (boxes.shape[0] == 0) return torch.empty(0, ScalarType.Int64, device);
        if (boxes.device_type == DeviceType.CPU)
        {
            using var b = boxes.ToCpuContiguous(ScalarType.Float32);
            using var s = scores.ToCpuContiguous(ScalarType.Float32);
            using var c = classes.ToCpuContiguous(ScalarType.Int64);
            return torch.tensor(BatchedCpu(b.AsSpan<float>(), s.AsSpan<float>(), c.AsSpan<long>(), iouThreshold), ScalarType.Int64, device);
        }
        return BatchedOnDevice(boxes, scores, classes, iouThreshold);
    }

    /// <summary>The non-CPU path of <see cref="Batched"/>: one device NMS per class. Internal so tests can run it on CPU tensors.</summary>
    internal static Tensor BatchedOnDevice(Tensor boxes, Tensor scores, Tensor classes, double iouThreshold)
    {
        using var scope = torch.NewDisposeScope();
        var kept = new List<Tensor>();
        foreach (var cls in classes.unique().output.cpu().data<long>().ToArray())
        {
            var members = torch.nonzero(classes == cls).flatten();
            var subset = boxes[members];
            var keep = torch.tensor(GreedyOnDevice(subset, scores[members], iouThreshold), ScalarType.Int64, boxes.device);
            kept.Add(members[keep]);
        }
        var all = torch.cat(kept, 0);
        var order = scores[all].sort(0, descending: true, stable: true).Indices;
        return all[order].MoveToOuterDisposeScope();
    }

    static void CheckShapes(Tensor boxes, Tensor scores)
    {
        if (boxes.dim() != 2 || boxes.shape[1] != 4)
            throw new ArgumentException($"NMS boxes must be [N,4], got [{string.Join(",", boxes.shape)}]");
        if (scores.dim() != 1 || scores.shape[0] != boxes.shape[0])
            throw new ArgumentException($"NMS scores must be [{boxes.shape[0]}], got [{string.Join(",", scores.shape)}]");
    }

    /// <summary>Visiting order of <paramref name="members"/> (all boxes when null): decreasing score, ties by lower index.</summary>
    static int[] ScoreOrder(ReadOnlySpan<float> scores, int[]? members)
    {
        var order = members ?? Enumerable.Range(0, scores.Length).ToArray();
        var keys = new float[order.Length];
        for (int k = 0; k < order.Length; k++) keys[k] = scores[order[k]];
        // Sorting (−score, index) pairs is a stable descending sort by score.
        var pairs = new (float NegScore, int Index)[order.Length];
        for (int k = 0; k < order.Length; k++) pairs[k] = (-keys[k], order[k]);
        Array.Sort(pairs);
        for (int k = 0; k < order.Length; k++) order[k] = pairs[k].Index;
        return order;
    }

    /// <summary>Greedy NMS over spans, among <paramref name="members"/> (all boxes when null). Returns kept indices by decreasing score.</summary>
    static long[] GreedyCpu(ReadOnlySpan<float> boxes, ReadOnlySpan<float> scores, int[]? members, double threshold)
    {
        var order = ScoreOrder(scores, members);
        int n = order.Length;
        // Boxes in visiting order, one array per coordinate, so the inner loop streams through memory.
        var x1 = new float[n]; var y1 = new float[n]; var x2 = new float[n]; var y2 = new float[n]; var area = new float[n];
        for (int k = 0; k < n; k++)
        {
            int i = order[k] * 4;
            (x1[k], y1[k], x2[k], y2[k]) = (boxes[i], boxes[i + 1], boxes[i + 2], boxes[i + 3]);
            area[k] = (x2[k] - x1[k]) * (y2[k] - y1[k]);
        }
        var suppressed = new bool[n];
        var keep = new List<long>();
        for (int k = 0; k < n; k++)
        {
            if (suppressed[k]) continue;
            keep.Add(order[k]);
            float ix1 = x1[k], iy1 = y1[k], ix2 = x2[k], iy2 = y2[k], iarea = area[k];
            for (int j = k + 1; j < n; j++)
            {
                if (suppressed[j]) continue;
                float w = MathF.Max(0f, MathF.Min(ix2, x2[j]) - MathF.Max(ix1, x1[j]));
                float h = MathF.Max(0f, MathF.Min(iy2, y2[j]) - MathF.Max(iy1, y1[j]));
                float inter = w * h;
                float iou = inter / (iarea + area[j] - inter);
                if (iou > threshold) suppressed[j] = true;
            }
        }
        return keep.ToArray();
    }

    /// <summary>Per-class greedy NMS (classes in parallel), merged by decreasing score, ties by lower index.</summary>
    static long[] BatchedCpu(ReadOnlySpan<float> boxes, ReadOnlySpan<float> scores, ReadOnlySpan<long> classes, double threshold)
    {
        var groups = new Dictionary<long, List<int>>();
        for (int i = 0; i < classes.Length; i++)
        {
            if (!groups.TryGetValue(classes[i], out var list)) groups[classes[i]] = list = [];
            list.Add(i);
        }
        var members = groups.Values.Select(l => l.ToArray()).ToArray();
        var kept = new long[members.Length][];
        var boxArray = boxes.ToArray();
        var scoreArray = scores.ToArray();
        Parallel.For(0, members.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, torch.get_num_threads()) },
            g => kept[g] = GreedyCpu(boxArray, scoreArray, members[g], threshold));
        var all = kept.SelectMany(k => k).Select(i => (int)i).ToArray();
        return ScoreOrder(scoreArray, all).Select(i => (long)i).ToArray();
    }

    /// <summary>The non-CPU path of <see cref="Greedy"/>: IoU matrix on the device, greedy pass on the host.</summary>
    internal static long[] GreedyOnDevice(Tensor boxes, Tensor scores, double threshold)
    {
        using var scope = torch.NewDisposeScope();
        var order = scores.sort(0, descending: true, stable: true).Indices;
        var sorted = boxes[order];
        using var overlaps = (BoxOps.Iou(sorted, sorted) > threshold).cpu().contiguous();
        var over = overlaps.AsSpan<bool>();
        using var orderCpu = order.cpu().contiguous();
        var orderSpan = orderCpu.AsSpan<long>();
        int n = orderSpan.Length;
        var suppressed = new bool[n];
        var keep = new List<long>();
        for (int k = 0; k < n; k++)
        {
            if (suppressed[k]) continue;
            keep.Add(orderSpan[k]);
            var row = over.Slice(k * n, n);
            for (int j = k + 1; j < n; j++) suppressed[j] |= row[j];
        }
        return keep.ToArray();
    }
}
