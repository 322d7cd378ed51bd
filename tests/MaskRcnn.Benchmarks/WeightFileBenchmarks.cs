using MaskRcnn.WeightFiles;

namespace MaskRcnn.Benchmarks;

/// <summary>Reading every tensor of torchvision's resnet50 state dict in each format, from the files
/// scripts/bench_weight_files.py writes into <c>$MASKRCNN_BENCH_WEIGHTS</c> (no cases without it).</summary>
public static class WeightFileBenchmarks
{
    static readonly (string Kind, string File)[] Files =
    [
        ("zip .pth", "resnet50_zip.pth"),
        ("legacy .pth", "resnet50_legacy.pth"),
        ("numpy .pkl (protocol 4)", "resnet50_p4.pkl"),
        ("numpy .pkl (Python 2 style)", "resnet50_py2.pkl"),
        ("safetensors", "resnet50.safetensors"),
    ];

    public static IEnumerable<BenchCase> Cases() =>
        Environment.GetEnvironmentVariable("MASKRCNN_BENCH_WEIGHTS") is { Length: > 0 } dir
            ? Files.Select(f => new BenchCase($"read resnet50 weights, {f.Kind}", () => () =>
            {
                using var tensors = WeightFile.ReadAll(Path.Combine(dir, f.File));
            }))
            : [];
}
