using System.Globalization;

namespace MaskRcnn.Engine;

/// <summary>Named smoothed series (losses, timings), formatted as maskrcnn-benchmark's MetricLogger does:
/// <c>loss: 1.2345 (1.4567)</c> — window median, then global average.</summary>
public sealed class MetricLogger(int window = 20)
{
    readonly Dictionary<string, SmoothedValue> meters = new();

    public IReadOnlyDictionary<string, SmoothedValue> Meters => meters;

    public void Update(string name, double value)
    {
        if (!meters.TryGetValue(name, out var meter)) meters[name] = meter = new SmoothedValue(window);
        meter.Update(value);
    }

    public SmoothedValue this[string name] => meters[name];

    public string Format(IEnumerable<string>? names = null) =>
        string.Join("  ", (names ?? meters.Keys).Where(meters.ContainsKey)
            .Select(n => string.Create(CultureInfo.InvariantCulture, $"{n}: {meters[n].Median:F4} ({meters[n].GlobalAverage:F4})")));
}
