using MaskRcnn.Benchmarks;
using MaskRcnn.Native;
using TorchSharp;

// Usage: dotnet run --project tests/MaskRcnn.Benchmarks -c Release -- [--threads N] [--reps N] [--json FILE] [FILTER ...]
// Prints one table row per case: median, min and max wall time over the repetitions.
TorchNativeLoader.EnsureLoaded();
var options = BenchOptions.Parse(args);
torch.set_num_threads(options.Threads);
var cases = BenchRegistry.All().Where(c => options.Filters.Count == 0 || options.Filters.Any(f => c.Name.Contains(f, StringComparison.OrdinalIgnoreCase))).ToList();
Console.WriteLine($"threads {options.Threads}, {options.Reps} repetitions after 1 warm-up, TorchSharp {torch.__version__}");
var results = new List<BenchResult>();
foreach (var bench in cases)
{
    var result = BenchRunner.Run(bench, options.Reps);
    results.Add(result);
    Console.WriteLine(result.Row());
}
if (options.JsonPath is { } json) BenchResult.WriteJson(json, results);
