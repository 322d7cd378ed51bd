using MaskRcnn.Config;
using MaskRcnn.Data;
using MaskRcnn.Data.Coco;
using MaskRcnn.Data.Loading;
using MaskRcnn.Data.Shapes;
using MaskRcnn.Data.Transforms;
using TorchSharp;

namespace MaskRcnn.Tests.Data;

public class TrainingDataLoaderTests : IClassFixture<TrainingDataLoaderTests.Shapes>
{
    public sealed class Shapes : IDisposable
    {
        public TempDir Dir { get; } = new();
        public CocoDetectionDataset Dataset { get; }
        public Shapes()
        {
            ShapesDatasetWriter.Write(Dir.Path, images: 12, seed: 3);
            Dataset = new CocoDetectionDataset(CocoFile.Load(Path.Combine(Dir.Path, "annotations.json")), Path.Combine(Dir.Path, "images"), forTraining: true);
        }
        public void Dispose() => Dir.Dispose();
    }

    readonly Shapes shapes;
    public TrainingDataLoaderTests(Shapes shapes) => this.shapes = shapes;

    static readonly DetectionTransform Transform = new(new ResizeRule([96, 128], 200), 0.5, 0, new ColorJitter(0.2, 0.2, 0.2, 0.05),
        new ImageNormalizer(true, [102.9801, 115.9465, 122.7717], [1, 1, 1]));

    TrainingDataLoader Loader(int workers, bool group = true, int batch = 3, int rank = 0, int ranks = 1) =>
        new(shapes.Dataset, Transform, new DataLoaderOptions(ImagesPerBatch: batch, SizeDivisibility: 32, Workers: workers, GroupByAspect: group, Seed: 11,
            SkipBadSamples: false, MaxImagePixels: int.MaxValue, Rank: rank, Ranks: ranks));

    [Fact]
    public void EachRankLoadsItsSliceOfTheWholeBatchAugmentedAsOneProcessWould()
    {
        var whole = Loader(0, batch: 4).Batches(0, 5).ToList();
        var halves = Enumerable.Range(0, 2).Select(r => Loader(r == 0 ? 0 : 2, batch: 4, rank: r, ranks: 2).Batches(0, 5).ToList()).ToList();
        for (int i = 0; i < whole.Count; i++)
            for (int rank = 0; rank < 2; rank++)
            {
                var part = halves[rank][i];
                Assert.Equal([2 * rank, 2 * rank + 1], part.Positions);
                Assert.Equal(whole[i].ImageIds.Skip(2 * rank).Take(2), part.ImageIds);
                for (int k = 0; k < 2; k++)
                {
                    var size = part.Images.Sizes[k];
                    Assert.Equal(whole[i].Images.Sizes[2 * rank + k], size);
                    // Flips and colour jitter drawn alike: the same pixels (padding may differ with the batch's other images).
                    TensorAssert.Equal(whole[i].Images.Tensor[2 * rank + k, .., ..size.Height, ..size.Width], part.Images.Tensor[k, .., ..size.Height, ..size.Width]);
                    TensorAssert.Equal(whole[i].Targets[2 * rank + k].Boxes, part.Targets[k].Boxes);
                }
            }
    }

    [Fact]
    public void ABatchThatDoesNotSplitOverTheRanksIsAConfigError() =>
        Assert.Contains("SOLVER.IMS_PER_BATCH 3 does not split over 2 processes",
            Assert.Throws<ConfigException>(() => Loader(0, batch: 3, rank: 1, ranks: 2).Batches(0, 1).ToList()).Message);

    [Fact]
    public void YieldsExactlyTheRequestedIterationsPaddedToTheDivisibility()
    {
        var batches = Loader(0).Batches(0, 7).ToList();
        Assert.Equal(Enumerable.Range(0, 7), batches.Select(b => b.Iteration));
        Assert.All(batches, b =>
        {
            Assert.Equal(3, b.Images.Count);
            Assert.Equal(0, b.Images.Tensor.shape[2] % 32);
            Assert.Equal(0, b.Images.Tensor.shape[3] % 32);
            Assert.All(b.Targets, t => Assert.True(t.Count > 0));
        });
    }

    [Fact]
    public void WorkersDoNotChangeTheData()
    {
        var serial = Loader(0).Batches(0, 6).ToList();
        var parallel = Loader(2).Batches(0, 6).ToList();
        foreach (var (a, b) in serial.Zip(parallel))
        {
            Assert.Equal(a.ImageIds, b.ImageIds);
            TensorAssert.Equal(a.Images.Tensor, b.Images.Tensor);
            TensorAssert.Equal(a.Targets[0].Boxes, b.Targets[0].Boxes);
        }
    }

    [Fact]
    public void ResumingAtAnIterationGivesTheSameBatches()
    {
        var straight = Loader(0).Batches(0, 9).Skip(5).ToList();
        var resumed = Loader(0).Batches(5, 9).ToList();
        Assert.Equal(straight.Select(b => b.Iteration), resumed.Select(b => b.Iteration));
        foreach (var (a, b) in straight.Zip(resumed)) TensorAssert.Equal(a.Images.Tensor, b.Images.Tensor);
    }

    [Fact]
    public void AspectGroupingKeepsPortraitAndLandscapeApart()
    {
        foreach (var batch in Loader(0).Batches(0, 12))
        {
            var portrait = batch.DatasetIndices.Select(i => shapes.Dataset.ImageAt(i) is var im && im.Height > im.Width).Distinct().ToList();
            Assert.Single(portrait);
        }
    }

    [Fact]
    public void EveryImageIsSeenEachEpoch()
    {
        // 12 images, batches of 3 without grouping: the first 4 batches are one shuffled pass.
        var seen = Loader(0, group: false).Batches(0, 4).SelectMany(b => b.DatasetIndices).Order();
        Assert.Equal(Enumerable.Range(0, 12), seen);
    }
}

public class BadSampleTests : IClassFixture<SmallCoco>
{
    readonly SmallCoco coco;
    public BadSampleTests(SmallCoco coco) => this.coco = coco;

    TrainingDataLoader Loader(bool skip, StringWriter log) => new(
        new CocoDetectionDataset(CocoFile.Load(coco.AnnotationFile), coco.ImageDir, forTraining: true),
        new DetectionTransform(new ResizeRule([20], 100), 0, 0, new ColorJitter(0, 0, 0, 0), new ImageNormalizer(false, [0, 0, 0], [1, 1, 1])),
        new DataLoaderOptions(3, 0, 0, false, 1, skip, int.MaxValue), log);

    [Fact]
    public void ByDefaultABadImageStopsLoadingWithItsName()
    {
        var e = Assert.Throws<DataException>(() => Loader(false, new StringWriter()).Batches(0, 1).ToList());
        Assert.Contains("broken.png", e.Message);
        Assert.Contains("image id 4", e.Message);
    }

    [Fact]
    public void WhenAskedBadImagesAreSkippedCountedAndReported()
    {
        var log = new StringWriter();
        var loader = Loader(true, log);
        var batches = loader.Batches(0, 2).ToList();
        Assert.Equal(2, batches.Count);
        Assert.All(batches, b => Assert.Equal(2, b.Images.Count)); // 3 images a batch, one of them broken
        Assert.Equal(2, loader.SkippedSamples);
        Assert.Contains("skipping image id 4", log.ToString());
    }

    [Fact]
    public void AnImageOverThePixelCapIsABadSampleNamedByItsId()
    {
        using var dir = new TempDir();
        ShapesDatasetWriter.Write(dir.Path, images: 3, seed: 2, minSide: 64, maxSide: 80);
        var dataset = new CocoDetectionDataset(CocoFile.Load(Path.Combine(dir.Path, "annotations.json")), Path.Combine(dir.Path, "images"), forTraining: true);
        var bomb = Path.Combine(dataset.ImageDir, dataset.ImageAt(1).FileName);
        File.WriteAllBytes(bomb, BombImages.Jpeg(60000, 60000)); // whatever its extension, the header decides
        var transform = new DetectionTransform(new ResizeRule([32], 64), 0, 0, new ColorJitter(0, 0, 0, 0), new ImageNormalizer(false, [0, 0, 0], [1, 1, 1]));
        var log = new StringWriter();
        TrainingDataLoader Loader(bool skip) => new(dataset, transform, new DataLoaderOptions(3, 0, 0, false, 1, skip, 89_478_485), log);

        var e = Assert.Throws<DataException>(() => Loader(false).Batches(0, 1).ToList());
        Assert.Equal($"{bomb}: declares 60000x60000 = 3600000000 pixels, more than INPUT.MAX_IMAGE_PIXELS 89478485 allows " +
                     $"(dataset {dataset.Name}, image id {dataset.ImageIdAt(1)}; set DATALOADER.SKIP_BAD_SAMPLES True to skip such images)", e.Message);
        var skipping = Loader(true);
        var batch = Assert.Single(skipping.Batches(0, 1));
        Assert.Equal([dataset.ImageIdAt(0), dataset.ImageIdAt(2)], batch.ImageIds.Order());
        Assert.Equal(1, skipping.SkippedSamples);
        Assert.Contains($"skipping image id {dataset.ImageIdAt(1)} of {dataset.Name}: {bomb}: declares 60000x60000", log.ToString());

        // Training reads the cap from the config.
        var cfg = MaskRcnn.Tests.Inference.TinyModel.Config("INPUT.MAX_IMAGE_PIXELS", "1234");
        Assert.Equal(1234, DataLoaderOptions.ForTraining(cfg, seed: 1).MaxImagePixels);
    }
}
