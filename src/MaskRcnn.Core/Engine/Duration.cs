using System.Globalization;

namespace MaskRcnn.Engine;

/// <summary>Durations for progress lines and summaries, written as Python's <c>str(timedelta)</c> (maskrcnn-benchmark's
/// ETA): <c>0:12:03</c>, and past a day <c>3 days, 4:05:06</c>, so a long schedule's ETA keeps its days.</summary>
public static class Duration
{
    public static string Format(TimeSpan span)
    {
        long seconds = Math.Max(0, (long)span.TotalSeconds); // whole seconds, as maskrcnn-benchmark's int(eta_seconds)
        long days = seconds / 86400, rest = seconds % 86400;
        var clock = string.Create(CultureInfo.InvariantCulture, $"{rest / 3600}:{rest / 60 % 60:00}:{rest % 60:00}");
        return days == 0 ? clock : $"{days} day{(days == 1 ? "" : "s")}, {clock}";
    }
}
