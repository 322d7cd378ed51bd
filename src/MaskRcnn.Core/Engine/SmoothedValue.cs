namespace MaskRcnn.Engine;

/// <summary>A series that logs as the median over a recent window and the average over everything, as
/// maskrcnn-benchmark's SmoothedValue: single iterations are noisy, trends are what people read.</summary>
public sealed class SmoothedValue(int window = 20)
{
    readonly Queue<double> recent = new();
    double total;
    long count;

    public void Update(double value)
    {
        recent.Enqueue(value);
        if (recent.Count > window) recent.Dequeue();
        total += value;
        count++;
    }

    public double Median
    {
        get
        {
            if (recent.Count == 0) return double.NaN;
            var sorted = recent.Order().ToArray();
            return sorted[(sorted.Length - 1) / 2];
        }
    }

    public double GlobalAverage => count == 0 ? double.NaN : total / count;
    public double Latest => recent.Count == 0 ? double.NaN : recent.Last();
}
