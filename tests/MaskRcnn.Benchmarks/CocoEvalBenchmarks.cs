using MaskRcnn.Data.Coco;
using MaskRcnn.Evaluation;

namespace MaskRcnn.Benchmarks;

/// <summary>
/// COCO evaluation (evaluate + accumulate, as pycocotools' time is measured) on the synthetic sets that
/// <c>scripts/bench_cocoeval.py generate</c> writes, so that both run on the same files: bbox on 5000 images ×
/// 80 categories × 100 detections per image, segm on 500 images × 100 RLE detections. The folder is
/// $MASKRCNN_COCOEVAL_BENCH or /tmp/maskrcnn-cocoeval-bench.
/// </summary>
public static class CocoEvalBenchmarks
{
    public static IEnumerable<BenchCase> Cases() =>
    [
        Case("bbox", "5000 images x 80 categories x 100 dets", IouType.Bbox),
        Case("segm", "500 images x 100 RLE dets", IouType.Segm),
    ];

    static BenchCase Case(string prefix, string what, IouType type) =>
        new($"CocoEval {prefix} {what}, evaluate+accumulate", () =>
        {
            var dir = Environment.GetEnvironmentVariable("MASKRCNN_COCOEVAL_BENCH") ?? Path.Combine(Path.GetTempPath(), "maskrcnn-cocoeval-bench");
            var gtPath = Path.Combine(dir, $"{prefix}_gt.json");
            if (!File.Exists(gtPath))
                throw new FileNotFoundException($"{gtPath} is missing: run /usr/bin/python3 scripts/bench_cocoeval.py generate --dir {dir} first");
            var gt = CocoFile.Load(gtPath);
            var results = CocoResultsFile.Load(Path.Combine(dir, $"{prefix}_results.json"), gt);
            return () => CocoEvaluator.Evaluate(gt, results, type);
        });
}
