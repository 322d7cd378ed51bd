using System.Text.Json.Nodes;
using MaskRcnn.Config;
using MaskRcnn.Data;
using MaskRcnn.Data.Coco;
using MaskRcnn.Data.Shapes;
using MaskRcnn.Inference;
using MaskRcnn.Tests.Engine;

namespace MaskRcnn.Tests.Inference;

/// <summary>A dataset run covers every image once in id order, shards add up to the whole, prefetching changes nothing,
/// and bad images stop the run or are skipped as DATALOADER.SKIP_BAD_SAMPLES says.</summary>
[Collection(TrainingCollection.Name)]
public class DatasetInferenceTests : IClassFixture<DatasetInferenceTests.TinySet>
{
    public sealed class TinySet : IDisposable
    {
        public TempDir Dir { get; } = new();
        public string Root => Path.Combine(Dir.Path, "tiny");
        public TinySet() => ShapesDatasetWriter.Write(Root, images: 7, seed: 5, minSide: 64, maxSide: 96);
        public CocoDetectionDataset Dataset(string annotations = "annotations.json") =>
            new(CocoFile.Load(Path.Combine(Root, annotations)), Path.Combine(Root, "images"), forTraining: false, "tiny");
        public void Dispose() => Dir.Dispose();
    }

    readonly TinySet data;
    public DatasetInferenceTests(TinySet data) => this.data = data;

    static DatasetInferenceResult Run(CocoDetectionDataset dataset, Shard? shard = null, List<InferenceProgress>? progress = null, params string[] overrides)
    {
        using var predictor = TinyModel.Predictor(TinyModel.Config(overrides));
        return new DatasetInference(predictor, dataset).Run(shard, progress is null ? null : progress.Add);
    }

    static void AssertSame(IReadOnlyList<CocoResult> expected, IReadOnlyList<CocoResult> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i]);
    }

    [Fact]
    public void EveryImageOnceInIdOrderWithBoxesAndMasks()
    {
        var dataset = data.Dataset();
        var progress = new List<InferenceProgress>();
        var result = Run(dataset, progress: progress);
        var ids = Enumerable.Range(0, dataset.Count).Select(dataset.ImageIdAt).ToList();
        Assert.Equal(ids, result.ImageIds);
        Assert.Empty(result.SkippedImageIds);
        Assert.NotEmpty(result.Bbox);
        Assert.Equal(ids, result.Bbox.Select(r => r.ImageId).Distinct()); // grouped batches, yet id order
        Assert.All(result.Bbox, r => Assert.Null(r.Segmentation));
        Assert.All(result.Bbox, r => Assert.Contains(r.CategoryId, new long[] { 1, 2, 3 }));
        Assert.NotNull(result.Segm);
        Assert.Equal(result.Bbox.Count, result.Segm!.Count);
        for (int i = 0; i < result.Bbox.Count; i++)
        {
            var (box, mask) = (result.Bbox[i], result.Segm[i]);
            Assert.Equal((box.ImageId, box.CategoryId, box.Score), (mask.ImageId, mask.CategoryId, mask.Score));
            var image = dataset.Coco.ImagesById[mask.ImageId];
            Assert.Equal((image.Height, image.Width), (mask.Segmentation!.Height, mask.Segmentation.Width));
        }
        Assert.Equal(dataset.Count, progress[^1].Done);
        Assert.All(progress, p => Assert.Equal(dataset.Count, p.Total));
        Assert.Equal(progress.Select(p => p.Done).Order(), progress.Select(p => p.Done));
    }

    [Fact]
    public void ShardsConcatenatedAreTheWholeRun()
    {
        // One image per batch, so that every image is computed alike in every run (a batch pads to its largest image).
        var dataset = data.Dataset();
        var whole = Run(dataset, overrides: ["TEST.IMS_PER_BATCH", "1"]);
        var shards = Enumerable.Range(0, 3).Select(i => Run(dataset, new Shard(i, 3), overrides: ["TEST.IMS_PER_BATCH", "1"])).ToList();
        Assert.Equal(whole.ImageIds, shards.SelectMany(s => s.ImageIds));
        Assert.Equal([2, 2, 3], shards.Select(s => s.ImageIds.Count));
        AssertSame(whole.Bbox, shards.SelectMany(s => s.Bbox).ToList());
        AssertSame(whole.Segm!, shards.SelectMany(s => s.Segm!).ToList());
    }

    [Fact]
    public void PrefetchingOnWorkersGivesTheSameResults()
    {
        var dataset = data.Dataset();
        var inline = Run(dataset, overrides: ["DATALOADER.NUM_WORKERS", "0"]);
        var prefetched = Run(dataset, overrides: ["DATALOADER.NUM_WORKERS", "2"]);
        Assert.Equal(inline.ImageIds, prefetched.ImageIds);
        AssertSame(inline.Bbox, prefetched.Bbox);
        AssertSame(inline.Segm!, prefetched.Segm!);
    }

    [Fact]
    public void AnImageOfAnotherSizeThanAnnotatedStopsTheRunOrIsSkipped()
    {
        // Image 2's entry names the file of an image of another size.
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(data.Root, "annotations.json")))!;
        var images = json["images"]!.AsArray();
        var second = images[1]!;
        var other = images.First(i => i!["width"]!.GetValue<int>() != second["width"]!.GetValue<int>())!;
        long id = second["id"]!.GetValue<long>();
        second["file_name"] = other["file_name"]!.GetValue<string>();
        File.WriteAllText(Path.Combine(data.Root, "wrong_size.json"), json.ToJsonString());
        var dataset = data.Dataset("wrong_size.json");
        var file = Path.Combine(data.Root, "images", other["file_name"]!.GetValue<string>());

        var e = Assert.Throws<DataException>(() => Run(dataset));
        Assert.Equal($"{file}: image {id} is {other["width"]}x{other["height"]} but {Path.Combine(data.Root, "wrong_size.json")} says {second["width"]}x{second["height"]} " +
                     $"(dataset tiny, image id {id}; set DATALOADER.SKIP_BAD_SAMPLES True to skip such images)", e.Message);

        var skipping = Run(dataset, overrides: ["DATALOADER.SKIP_BAD_SAMPLES", "True", "DATALOADER.NUM_WORKERS", "1"]);
        Assert.Equal([id], skipping.SkippedImageIds);
        Assert.DoesNotContain(id, skipping.ImageIds);
        Assert.Equal(dataset.Count - 1, skipping.ImageIds.Count);
        Assert.DoesNotContain(skipping.Bbox, r => r.ImageId == id);
    }

    [Fact]
    public void AnImageOverThePixelCapStopsTheRunNamingItOrIsSkipped()
    {
        // Image 3's entry names a PNG whose header declares 50000x50000 pixels.
        File.WriteAllBytes(Path.Combine(data.Root, "images", "bomb.png"), MaskRcnn.Tests.Data.BombImages.Png(50000, 50000));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(data.Root, "annotations.json")))!;
        var third = json["images"]!.AsArray()[2]!;
        long id = third["id"]!.GetValue<long>();
        third["file_name"] = "bomb.png";
        File.WriteAllText(Path.Combine(data.Root, "bomb.json"), json.ToJsonString());
        var dataset = data.Dataset("bomb.json");

        var e = Assert.Throws<DataException>(() => Run(dataset));
        Assert.Equal($"{Path.Combine(data.Root, "images", "bomb.png")}: declares 50000x50000 = 2500000000 pixels, more than INPUT.MAX_IMAGE_PIXELS 89478485 allows " +
                     $"(dataset tiny, image id {id}; set DATALOADER.SKIP_BAD_SAMPLES True to skip such images)", e.Message);

        var skipping = Run(dataset, overrides: ["DATALOADER.SKIP_BAD_SAMPLES", "True", "DATALOADER.NUM_WORKERS", "2"]);
        Assert.Equal([id], skipping.SkippedImageIds);
        Assert.Equal(Enumerable.Range(0, dataset.Count).Select(dataset.ImageIdAt).Where(i => i != id), skipping.ImageIds);
        Assert.NotEmpty(skipping.Bbox);

        // The cap is the config's: at 64x64 - 1 pixels every image of the set (64 to 96 pixels a side) is refused.
        var none = Run(data.Dataset(), overrides: ["DATALOADER.SKIP_BAD_SAMPLES", "True", "INPUT.MAX_IMAGE_PIXELS", "4095"]);
        Assert.Empty(none.ImageIds);
        Assert.Equal(dataset.Count, none.SkippedImageIds.Count);
    }

    [Fact]
    public void TheModelsClassesMustBeTheDatasets()
    {
        var e = Assert.Throws<ConfigException>(() => Run(data.Dataset(), overrides: ["MODEL.ROI_BOX_HEAD.NUM_CLASSES", "5"]));
        Assert.Equal("MODEL.ROI_BOX_HEAD.NUM_CLASSES is 5 but tiny has 3 categories (+1 background)", e.Message);
    }

    [Fact]
    public void ACheckpointTrainedOnOtherCategoriesIsOneWarningAndTheDatasetsIdsStay()
    {
        using var dir = new TempDir();
        var other = Path.Combine(dir.Path, "other.safetensors");
        var same = Path.Combine(dir.Path, "same.safetensors");
        TinyModel.SaveCheckpoint(other, categories: [new(1, "square"), new(2, "disc"), new(3, "triangle")]);
        TinyModel.SaveCheckpoint(same, categories: [new(1, "square"), new(2, "circle"), new(3, "triangle")]);
        var dataset = data.Dataset();

        var log = new StringWriter();
        using (var predictor = Predictor.Load(TinyModel.Config(), other))
        {
            var result = new DatasetInference(predictor, dataset, log).Run(new Shard(0, 7));
            Assert.NotEmpty(result.Bbox);
            Assert.All(result.Bbox, r => Assert.Contains(r.CategoryId, new long[] { 1, 2, 3 }));
        }
        Assert.Equal($"warning: checkpoint {other} was trained on other categories than dataset tiny has (label 2 is id 2 'disc' in the checkpoint, " +
                     "id 2 'circle' in the dataset; 3 vs 3 categories); results take tiny's category ids, as its ground truth defines them\n",
            log.ToString().ReplaceLineEndings("\n"));

        log = new StringWriter();
        using (var predictor = Predictor.Load(TinyModel.Config(), same))
            new DatasetInference(predictor, dataset, log).Run(new Shard(0, 7));
        Assert.Equal("", log.ToString());
    }
}
