namespace MaskRcnn.Benchmarks;

/// <summary>Every benchmark case, in table order. Each area adds its cases here.</summary>
public static class BenchRegistry
{
    public static IEnumerable<BenchCase> All() =>
    [
        .. NmsBenchmarks.Cases(), .. MaskBenchmarks.Cases(), .. RoiAlignBenchmarks.Cases(), .. LoaderBenchmarks.Cases(),
        .. BackboneBenchmarks.Cases(), .. MaskRcnnBenchmarks.Cases(), .. YolactBenchmarks.Cases(), .. CocoEvalBenchmarks.Cases(),
        .. WeightFileBenchmarks.Cases(),
    ];
}
