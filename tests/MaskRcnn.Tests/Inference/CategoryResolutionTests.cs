using System.Text.Json;
using MaskRcnn.Checkpoint;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.Config;
using MaskRcnn.Data;
using MaskRcnn.Data.Coco;
using MaskRcnn.Data.Shapes;
using MaskRcnn.Inference;

namespace MaskRcnn.Tests.Inference;

/// <summary>Where predict's class names come from: each source wins over the ones after it (--classes, the checkpoint's
/// categories, the config's dataset, the built-in COCO names of a known layout, "class N"); sources that do not fit are
/// noted and passed over; and eval's warning when the checkpoint was trained on other categories than the dataset's.</summary>
public class CategoryResolutionTests : IClassFixture<CategoryResolutionTests.Datasets>
{
    public sealed class Datasets : IDisposable
    {
        public TempDir Dir { get; } = new();
        public string Catalog { get; }

        /// <summary>tiny_val: a shapes set (square 1, circle 2, triangle 3); eighty: 80 categories "thing 1".."thing 80" with ids 2, 4, … 160.</summary>
        public Datasets()
        {
            ShapesDatasetWriter.Write(Path.Combine(Dir.Path, "tiny"), images: 1, seed: 3, minSide: 64, maxSide: 64);
            var eighty = Enumerable.Range(1, 80).Select(i => new { id = 2 * i, name = $"thing {i}" });
            Dir.File("eighty.json", JsonSerializer.Serialize(new { images = Array.Empty<object>(), annotations = Array.Empty<object>(), categories = eighty }));
            Catalog = Dir.File("catalog.yaml", "DATASETS:\n  tiny_val: {img_dir: tiny/images, ann_file: tiny/annotations.json}\n" +
                                               "  eighty: {img_dir: tiny/images, ann_file: eighty.json}\n");
        }

        public MaskRcnnConfig Config(string? dataset, int numClasses = 4) => TinyModel.Config(
            "PATHS_CATALOG", Catalog, "DATASETS.TEST", dataset is null ? "()" : $"(\"{dataset}\",)", "MODEL.ROI_BOX_HEAD.NUM_CLASSES", numClasses.ToString());

        public void Dispose() => Dir.Dispose();
    }

    readonly Datasets data;
    readonly List<string> notes = [];
    public CategoryResolutionTests(Datasets data) => this.data = data;

    const string WeightFile = "w.safetensors";

    /// <summary>A report of weights loaded from <see cref="WeightFile"/> with this scheme and metadata.</summary>
    internal static LoadReport Weights(WeightScheme scheme, params (string Key, string Value)[] metadata) => new()
    {
        Source = WeightFile, Scheme = scheme, Loaded = [], Renamed = 0, Missing = [], LeftInitialised = [], Unexpected = [],
        ShapeMismatches = [], DtypeMismatches = [], Ignored = [],
        Metadata = metadata.ToDictionary(m => m.Key, m => m.Value),
    };

    static (string, string) Recorded(params (long Id, string Name)[] categories) =>
        (CheckpointFormat.CategoriesKey, CheckpointCategories.Serialize(categories.Select(c => new CheckpointCategory(c.Id, c.Name)).ToList()));

    static (string, string) ConvertedFrom(string scheme) => (CheckpointFormat.ConvertedFromKey, scheme);

    static readonly (string, string) Animals = Recorded((4, "cat"), (7, "dog"), (9, "eel"));

    static IEnumerable<(long, string)> Labels(DetectionCategories c) => c.CategoryOfLabel.Zip(c.ClassNames).Skip(1);

    DetectionCategories Resolve(MaskRcnnConfig cfg, LoadReport? weights, DetectionCategories? classesFile = null) =>
        CategoryResolution.Resolve(cfg, classesFile, weights, notes.Add);

    [Fact]
    public void AClassesFileWinsOverTheCheckpointAndTheDataset()
    {
        using var dir = new TempDir();
        var file = dir.File("names.txt", "a\nb\nc\n");
        var cfg = data.Config("tiny_val");
        var categories = Resolve(cfg, Weights(WeightScheme.MaskRcnn, Animals), ClassesFile.Load(file, cfg.Model));
        Assert.Equal([(1L, "a"), (2L, "b"), (3L, "c")], Labels(categories));
        Assert.Equal($"classes: 3 from classes file {file}", categories.Summary);
        Assert.Empty(notes);
    }

    [Fact]
    public void TheCheckpointsCategoriesWinOverTheDataset()
    {
        var categories = Resolve(data.Config("tiny_val"), Weights(WeightScheme.MaskRcnn, Animals));
        Assert.Equal([(4L, "cat"), (7L, "dog"), (9L, "eel")], Labels(categories));
        Assert.Equal("classes: 3 from checkpoint w.safetensors", categories.Summary);
        Assert.Empty(notes);
    }

    [Fact]
    public void TheCheckpointsCategoriesWinOverCocoNames()
    {
        var recorded = Recorded(Enumerable.Range(1, 80).Select(i => ((long)i, $"mine {i}")).ToArray());
        var categories = Resolve(data.Config(null, 81), Weights(WeightScheme.MaskRcnn, recorded, ConvertedFrom("maskrcnn-benchmark")));
        Assert.Equal("checkpoint w.safetensors", categories.Source);
        Assert.Equal("mine 12", categories.NameOf(12));
    }

    [Fact]
    public void TheDatasetWinsOverCocoNames()
    {
        var categories = Resolve(data.Config("eighty", 81), Weights(WeightScheme.MaskRcnnBenchmark));
        Assert.Equal("classes: 80 from dataset eighty", categories.Summary);
        Assert.Equal((24L, "thing 12"), (categories.CategoryOf(12), categories.NameOf(12)));
        Assert.Empty(notes);
    }

    [Fact]
    public void CocoNamesWinOverClassNumbers()
    {
        var categories = Resolve(data.Config("nope_val", 81), Weights(WeightScheme.MaskRcnnBenchmark));
        Assert.Equal("classes: 80 from built-in COCO names, Detectron's layout (labels in category id order)", categories.Summary);
        Assert.Equal("person", categories.NameOf(1));
        Assert.Empty(notes); // the dataset that did not open does not matter once names are found
    }

    [Fact]
    public void WithoutNamesLabelsAreClassNumbersWithOneNote()
    {
        var categories = Resolve(data.Config(null), Weights(WeightScheme.MaskRcnn));
        Assert.Equal([(1L, "class 1"), (2L, "class 2"), (3L, "class 3")], Labels(categories));
        Assert.Equal("classes: 3 unnamed, labelled 'class N' with category id N", categories.Summary);
        Assert.Equal("class names unavailable (w.safetensors records none; no DATASETS.TEST or DATASETS.TRAIN); " +
                     "labels are 'class N' with category id N", Assert.Single(notes));

        notes.Clear();
        Resolve(data.Config("nope_val"), null);
        Assert.StartsWith("class names unavailable (dataset nope_val: unknown dataset 'nope_val'", Assert.Single(notes));
    }

    [Fact]
    public void SourcesThatDoNotFitAreNotedAndPassedOver()
    {
        var categories = Resolve(data.Config("tiny_val"), Weights(WeightScheme.MaskRcnn, Recorded((1, "square"), (2, "circle"))));
        Assert.Equal("dataset tiny_val", categories.Source);
        Assert.Equal("checkpoint w.safetensors names 2 categories but MODEL.ROI_BOX_HEAD.NUM_CLASSES is 4 (background included); not using its names",
            Assert.Single(notes));

        notes.Clear();
        categories = Resolve(data.Config("tiny_val", 81), Weights(WeightScheme.Yolact));
        Assert.Equal("person", categories.NameOf(1));
        Assert.Equal("dataset tiny_val has 3 categories but MODEL.ROI_BOX_HEAD.NUM_CLASSES is 81 (background included); not using its names",
            Assert.Single(notes));

        notes.Clear();
        categories = Resolve(data.Config(null), Weights(WeightScheme.Torchvision));
        Assert.Equal(DetectionCategories.GenericSource, categories.Source);
        Assert.Equal("class names unavailable (w.safetensors records none; no DATASETS.TEST or DATASETS.TRAIN; torchvision weights with 4 classes are no COCO model (91 classes)); " +
                     "labels are 'class N' with category id N", Assert.Single(notes));
    }

    [Fact]
    public void TorchvisionsLayoutIsLabelEqualsCategoryId()
    {
        var categories = Resolve(data.Config(null, 91), Weights(WeightScheme.Torchvision));
        Assert.Equal("classes: 90 from built-in COCO names, torchvision's layout (label = category id)", categories.Summary);
        Assert.Equal((1L, "person"), (categories.CategoryOf(1), categories.NameOf(1)));
        Assert.Equal((12L, "N/A"), (categories.CategoryOf(12), categories.NameOf(12)));
        Assert.Equal((13L, "stop sign"), (categories.CategoryOf(13), categories.NameOf(13)));
        Assert.Equal((90L, "toothbrush"), (categories.CategoryOf(90), categories.NameOf(90)));
        Assert.Equal([12L, 26, 29, 30, 45, 66, 68, 69, 71, 83], Labels(categories).Where(l => l.Item2 == "N/A").Select(l => l.Item1));
    }

    [Fact]
    public void DetectronsLayoutIsTheCategoriesInIdOrder()
    {
        var categories = Resolve(data.Config(null, 81), Weights(WeightScheme.MaskRcnnBenchmark));
        Assert.Equal((1L, "person"), (categories.CategoryOf(1), categories.NameOf(1)));
        Assert.Equal((13L, "stop sign"), (categories.CategoryOf(12), categories.NameOf(12)));
        Assert.Equal((90L, "toothbrush"), (categories.CategoryOf(80), categories.NameOf(80)));
        Assert.Equal(80, Labels(categories).Select(l => l.Item1).Distinct().Count());
        Assert.DoesNotContain("N/A", categories.ClassNames);
    }

    [Theory]
    [InlineData(WeightScheme.Torchvision, null, 91, 12L)]
    [InlineData(WeightScheme.MaskRcnnBenchmark, null, 81, 13L)]
    [InlineData(WeightScheme.Yolact, null, 81, 13L)]
    [InlineData(WeightScheme.MaskRcnn, "torchvision", 91, 12L)]
    [InlineData(WeightScheme.MaskRcnn, "maskrcnn-benchmark", 81, 13L)]
    [InlineData(WeightScheme.MaskRcnn, "yolact", 81, 13L)]
    public void TheLayoutFollowsTheSchemeTheWeightsWerePublishedIn(WeightScheme scheme, string? convertedFrom, int numClasses, long idOfLabel12)
    {
        var weights = convertedFrom is null ? Weights(scheme) : Weights(scheme, ConvertedFrom(convertedFrom));
        Assert.Equal(idOfLabel12, Resolve(data.Config(null, numClasses), weights).CategoryOf(12));
        // The other class count is no COCO model of that layout.
        var other = Resolve(data.Config(null, numClasses == 91 ? 81 : 91), weights);
        Assert.Equal(DetectionCategories.GenericSource, other.Source);
    }

    [Fact]
    public void OurOwnWeightsOrAnUnknownOriginGetNoCocoNames()
    {
        Assert.Equal(DetectionCategories.GenericSource, Resolve(data.Config(null, 81), Weights(WeightScheme.MaskRcnn)).Source);
        Assert.Equal(DetectionCategories.GenericSource, Resolve(data.Config(null, 81), Weights(WeightScheme.MaskRcnn, ConvertedFrom("caffe3"))).Source);
        Assert.Equal(DetectionCategories.GenericSource, Resolve(data.Config(null, 81), null).Source);
    }

    [Fact]
    public void MalformedCheckpointCategoriesAreAnErrorNamingTheFileAndKey()
    {
        var e = Assert.Throws<WeightFileException>(() => Resolve(data.Config("tiny_val"), Weights(WeightScheme.MaskRcnn, (CheckpointFormat.CategoriesKey, "[{\"id\": 1}]"))));
        Assert.Equal("w.safetensors: metadata 'categories' is malformed: entry 0 is not {\"id\": positive integer, \"name\": non-empty text}; " +
                     "expected a JSON array in label order, [{\"id\": 1, \"name\": \"...\"}, ...]", e.Message);
    }

    CocoDetectionDataset Tiny() =>
        new(CocoFile.Load(Path.Combine(data.Dir.Path, "tiny", "annotations.json")), Path.Combine(data.Dir.Path, "tiny", "images"), forTraining: false, "tiny_val");

    [Fact]
    public void EvalWarnsWhenTheCheckpointWasTrainedOnOtherCategories()
    {
        Assert.Null(CategoryResolution.DatasetMismatch(Weights(WeightScheme.MaskRcnn, Recorded((1, "square"), (2, "circle"), (3, "triangle"))), Tiny()));
        Assert.Null(CategoryResolution.DatasetMismatch(Weights(WeightScheme.MaskRcnn), Tiny()));
        Assert.Null(CategoryResolution.DatasetMismatch(null, Tiny()));
        Assert.Equal("checkpoint w.safetensors was trained on other categories than dataset tiny_val has (label 2 is id 2 'disc' in the checkpoint, " +
                     "id 2 'circle' in the dataset; 3 vs 3 categories); results take tiny_val's category ids, as its ground truth defines them",
            CategoryResolution.DatasetMismatch(Weights(WeightScheme.MaskRcnn, Recorded((1, "square"), (2, "disc"), (3, "triangle"))), Tiny()));
        Assert.Equal("checkpoint w.safetensors was trained on other categories than dataset tiny_val has (label 3 is id 4 'triangle' in the checkpoint, " +
                     "id 3 'triangle' in the dataset; 3 vs 3 categories); results take tiny_val's category ids, as its ground truth defines them",
            CategoryResolution.DatasetMismatch(Weights(WeightScheme.MaskRcnn, Recorded((1, "square"), (2, "circle"), (4, "triangle"))), Tiny()));
        Assert.Equal("checkpoint w.safetensors was trained on other categories than dataset tiny_val has (2 vs 3 categories); " +
                     "results take tiny_val's category ids, as its ground truth defines them",
            CategoryResolution.DatasetMismatch(Weights(WeightScheme.MaskRcnn, Recorded((1, "square"), (2, "circle"))), Tiny()));
    }
}
