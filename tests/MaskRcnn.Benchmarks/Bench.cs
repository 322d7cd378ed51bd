using System.Diagnostics;
using System.Text.Json;
using TorchSharp;

namespace MaskRcnn.Benchmarks;

/// <summary>A benchmark: <see cref="Setup"/> builds inputs once and returns the timed action.</summary>
public sealed record BenchCase(string Name, Func<Action> Setup);

/// <param name="PeakMb">The process's peak resident memory after the case (VmHWM; run one case per process for its own peak).</param>
public sealed record BenchResult(string Name, double MedianMs, double MinMs, double MaxMs, int Reps, double PeakMb)
{
    public string Row() => $"{Name,-58} median {MedianMs,10:F2} ms   min {MinMs,10:F2}   max {MaxMs,10:F2}   peak {PeakMb:F0} MB";

    public static double CurrentPeakMb()
    {
        if (!File.Exists("/proc/self/status")) return 0;
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:"));
        return line is null ? 0 : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024;
    }

    public static void WriteJson(string path, IReadOnlyList<BenchResult> results) =>
        File.WriteAllText(path, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
}

public sealed record BenchOptions(int Threads, int Reps, string? JsonPath, IReadOnlyList<string> Filters)
{
    public static BenchOptions Parse(string[] args)
    {
        int threads = 2, reps = 5;
        string? json = null;
        var filters = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--threads": threads = int.Parse(args[++i]); break;
                case "--reps": reps = int.Parse(args[++i]); break;
                case "--json": json = args[++i]; break;
                default: filters.Add(args[i]); break;
            }
        }
        return new(threads, reps, json, filters);
    }
}

public static class BenchRunner
{
    public static BenchResult Run(BenchCase bench, int reps)
    {
        using var scope = torch.NewDisposeScope();
        var action = bench.Setup();
        Time(action); // warm-up: JIT, allocator, oneDNN primitive caches
        var times = Enumerable.Range(0, reps).Select(_ => Time(action)).Order().ToArray();
        return new(bench.Name, times[times.Length / 2], times[0], times[^1], reps, BenchResult.CurrentPeakMb());
    }

    static double Time(Action action)
    {
        using var scope = torch.NewDisposeScope();
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed.TotalMilliseconds;
    }
}
