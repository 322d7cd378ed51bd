using MaskRcnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Layers;

public enum SoftNmsMethod { Linear, Gaussian }

/// <summary>
/// Soft-NMS (Bodla et al., 2017): instead of dropping the boxes that overlap a kept box, lower their
/// scores — linearly, s·(1 − IoU) when IoU exceeds the threshold, or by a Gaussian, s·exp(−IoU²/σ) — and
/// drop a box only when its score falls below <c>scoreThreshold</c>. Sequential, so it runs on the CPU.
/// </summary>
public static class SoftNms
{
    /// <summary>Returns the kept indices in selection order and their decayed scores.</summary>
    public static (Tensor Keep, Tensor Scores) Apply(Tensor boxes, Tensor scores, SoftNmsMethod method,
        double iouThreshold = 0.3, double sigma = 0.5, double scoreThreshold = 0.001)
    {
        var device = boxes.device;
        using var b = boxes.ToCpuContiguous(ScalarType.Float32);
        using var s = scores.ToCpuContiguous(ScalarType.Float32);
        var box = b.AsSpan<float>();
        var score = s.AsSpan<float>().ToArray();
        int n = score.Length;
        var active = new List<int>(n);
        for (int i = 0; i < n; i++) if (score[i] >= scoreThreshold) active.Add(i);
        var keep = new List<long>();
        var kept = new List<float>();
        while (active.Count > 0)
        {
            // The best remaining box; ties by lower index.
            int best = 0;
            for (int k = 1; k < active.Count; k++)
                if (score[active[k]] > score[active[best]] || (score[active[k]] == score[active[best]] && active[k] < active[best])) best = k;
            int m = active[best];
            active.RemoveAt(best);
            keep.Add(m);
            kept.Add(score[m]);
            int remaining = 0;
            for (int k = 0; k < active.Count; k++)
            {
                int j = active[k];
                float iou = Iou(box, m, j);
                score[j] *= method == SoftNmsMethod.Linear
                    ? (iou > iouThreshold ? 1f - iou : 1f)
                    : MathF.Exp(-(iou * iou) / (float)sigma);
                if (score[j] >= scoreThreshold) active[remaining++] = j;
            }
            active.RemoveRange(remaining, active.Count - remaining);
        }
        return (torch.tensor(keep.ToArray(), ScalarType.Int64, device), torch.tensor(kept.ToArray(), ScalarType.Float32, device));
    }

    static float Iou(ReadOnlySpan<float> box, int a, int b)
    {
        int i = a * 4, j = b * 4;
        float w = MathF.Max(0f, MathF.Min(box[i + 2], box[j + 2]) - MathF.Max(box[i], box[j]));
        float h = MathF.Max(0f, MathF.Min(box[i + 3], box[j + 3]) - MathF.Max(box[i + 1], box[j + 1]));
        float inter = w * h;
        float areaA = (box[i + 2] - box[i]) * (box[i + 3] - box[i + 1]);
        float areaB = (box[j + 2] - box[j]) * (box[j + 3] - box[j + 1]);
        return inter / (areaA + areaB - inter);
    }
}
