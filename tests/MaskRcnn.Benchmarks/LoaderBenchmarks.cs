using MaskRcnn.Data;
using MaskRcnn.Data.Coco;
using MaskRcnn.Data.Loading;
using MaskRcnn.Data.Shapes;
using MaskRcnn.Data.Transforms;

namespace MaskRcnn.Benchmarks;

/// <summary>Training-loader throughput: 8 batches of 4 images (decode, jitter, resize, flip, normalize, pad).
/// Images per second = 32 / time.</summary>
public static class LoaderBenchmarks
{
    public static IEnumerable<BenchCase> Cases() =>
    [
        Case("shapes 128-256 px, short side 256", 128, 256, 256, 416, workers: 0),
        Case("shapes 128-256 px, short side 256", 128, 256, 256, 416, workers: 2),
        Case("640-800 px images, short side 800", 640, 800, 800, 1333, workers: 0),
        Case("640-800 px images, short side 800", 640, 800, 800, 1333, workers: 2),
    ];

    static BenchCase Case(string what, int minSide, int maxSide, int shortSide, int maxSize, int workers) =>
        new($"Loader {what}, {workers} workers, 8 batches of 4", () =>
        {
            var root = Path.Combine(Path.GetTempPath(), $"maskrcnn-bench-shapes-{minSide}-{maxSide}");
            if (!File.Exists(Path.Combine(root, "annotations.json"))) ShapesDatasetWriter.Write(root, 64, seed: 1, minSide, maxSide);
            var dataset = new CocoDetectionDataset(CocoFile.Load(Path.Combine(root, "annotations.json")), Path.Combine(root, "images"), forTraining: true);
            var transform = new DetectionTransform(new ResizeRule([shortSide], maxSize), 0.5, 0, new ColorJitter(0.1, 0.1, 0.1, 0),
                new ImageNormalizer(true, [102.9801, 115.9465, 122.7717], [1, 1, 1]));
            var loader = new TrainingDataLoader(dataset, transform, new DataLoaderOptions(4, 32, workers, true, 1, false, int.MaxValue));
            return () =>
            {
                foreach (var batch in loader.Batches(0, 8)) batch.Dispose();
            };
        });
}
