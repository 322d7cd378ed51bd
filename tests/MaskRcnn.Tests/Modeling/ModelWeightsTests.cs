using MaskRcnn.Checkpoint;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.Config;
using MaskRcnn.Inference;
using MaskRcnn.Modeling;
using MaskRcnn.SafeTensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling;

/// <summary>A torchvision maskrcnn_resnet50_fpn state dict (names and shapes as torchvision 0.14 saves them) loads
/// straight into the model built from configs/torchvision/maskrcnn_resnet50_fpn.yaml.</summary>
public class ModelWeightsTests : IClassFixture<ModelWeightsTests.TorchvisionFile>
{
    public sealed class TorchvisionFile : IDisposable
    {
        public TempDir Dir { get; } = new();
        public string Path => System.IO.Path.Combine(Dir.Path, "maskrcnn_resnet50_fpn.safetensors");

        public TorchvisionFile() => TorchvisionStateDicts.Write(Path, "maskrcnn_resnet50_fpn");

        public void Dispose() => Dir.Dispose();
    }

    readonly TorchvisionFile file;
    public ModelWeightsTests(TorchvisionFile file) => this.file = file;

    static string TorchvisionConfig => System.IO.Path.Combine(TestPaths.RepoRoot, "configs", "torchvision", "maskrcnn_resnet50_fpn.yaml");

    [Fact]
    public void EveryTensorLoadsByTorchvisionName()
    {
        var model = ModelBuilder.Build(ConfigLoader.Load(TorchvisionConfig, ["MODEL.DEVICE", "cpu"]));
        var report = WeightLoader.LoadFile(model, file.Path);
        Assert.True(report.Succeeded, report.Format());
        Assert.Equal(WeightScheme.Torchvision, report.Scheme);
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
        Assert.Equal(model.state_dict().Count, report.Loaded.Count);
        // Spot check: a value lands where its torchvision name says.
        var expected = ReferenceWeights.Values("roi_heads.mask_predictor.mask_fcn_logits.weight", [91, 256, 1, 1])!;
        TensorAssert.Equal(expected, model.state_dict()["roi_heads.mask.predictor.mask_fcn_logits.weight"]);
    }

    [Fact]
    public void FineTuningToOtherClassesSkipsOnlyThePredictors()
    {
        var model = ModelBuilder.Build(ConfigLoader.Load(TorchvisionConfig, ["MODEL.DEVICE", "cpu", "MODEL.ROI_BOX_HEAD.NUM_CLASSES", "4"]));
        var report = WeightLoader.LoadFile(model, file.Path);
        Assert.True(report.Succeeded, report.Format());
        Assert.Equal(["roi_heads.box.predictor.bbox_pred.bias", "roi_heads.box.predictor.bbox_pred.weight", "roi_heads.box.predictor.cls_score.bias",
            "roi_heads.box.predictor.cls_score.weight", "roi_heads.mask.predictor.mask_fcn_logits.bias", "roi_heads.mask.predictor.mask_fcn_logits.weight"],
            report.Skipped.Select(s => s.Name).Order());
    }

    [Fact]
    public void ModelWeightLoadsFilesAndExplainsWhatItCannotLoad()
    {
        var cfg = ConfigLoader.Load(TorchvisionConfig, ["MODEL.DEVICE", "cpu"]);
        var model = ModelBuilder.Build(cfg);
        Assert.Null(ModelWeights.Load(model, "", cfg));
        Assert.True(ModelWeights.Load(model, file.Path, cfg)!.Succeeded);
        Assert.Contains("catalog://ImageNetPretrained/MSRA/R-50: not downloaded (this tool downloads nothing); download ",
            Assert.Throws<ConfigException>(() => ModelWeights.Load(model, "catalog://ImageNetPretrained/MSRA/R-50", cfg)).Message);
        Assert.Contains("weights file not found: nope.safetensors", Assert.Throws<ConfigException>(() => ModelWeights.Load(model, "nope.safetensors", cfg)).Message);
        // A model the file does not fit (a C4 body) copies nothing and says why.
        var c4Config = ConfigLoader.Load(System.IO.Path.Combine(TestPaths.Configs, "e2e_mask_rcnn_R_50_C4_1x.yaml"), ["MODEL.DEVICE", "cpu"]);
        var c4 = ModelBuilder.Build(c4Config);
        Assert.Throws<WeightLoadException>(() => ModelWeights.Load(c4, file.Path, c4Config));
    }

    [Fact]
    public void ACatalogNameLoadsTheFileUnderTheDataFolderAndWarnsAboutSettingsItWasNotTrainedWith()
    {
        using var dir = new TempDir();
        var models = System.IO.Path.Combine(dir.Path, "models", "torchvision");
        Directory.CreateDirectory(models);
        File.Copy(WeightFiles.WeightFileFormatTests.Fixture("resnet50_imagenet.pth"), System.IO.Path.Combine(models, "resnet50-0676ba61.pth"));
        var catalog = dir.File("paths_catalog.yaml", $"DATA_DIR: {dir.Path}\n");
        // maskrcnn-benchmark's R-50-FPN config is set up for Caffe2's weights: four settings differ from torchvision's.
        var cfg = ConfigLoader.Load(System.IO.Path.Combine(TestPaths.Configs, "e2e_mask_rcnn_R_50_FPN_1x.yaml"),
            ["MODEL.DEVICE", "cpu", "PATHS_CATALOG", catalog]);
        var model = ModelBuilder.Build(cfg);
        var log = new StringWriter();
        var report = ModelWeights.Load(model, "catalog://ImageNetPretrained/torchvision/resnet50", cfg, log)!;
        Assert.True(report.BodyOnly);
        var lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("warning: MODEL.RESNETS.STRIDE_IN_1X1 is True but catalog://ImageNetPretrained/torchvision/resnet50 was trained with False", lines);
        Assert.Contains("warning: INPUT.TO_BGR255 is True but catalog://ImageNetPretrained/torchvision/resnet50 was trained with False", lines);
        Assert.Contains(lines, l => l.StartsWith("warning: INPUT.PIXEL_MEAN is (102.9801, 115.9465, 122.7717) but ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("warning: INPUT.PIXEL_STD is (1, 1, 1) but ", StringComparison.Ordinal));
        Assert.StartsWith("warning: ", lines[0]);
        Assert.Contains("holds only a backbone body", lines[0]);
    }

    [Fact]
    public void TorchvisionWeightsGetCocosNamesByCategoryId()
    {
        // No dataset to ask: the names come from knowing torchvision's COCO layout (91 outputs, label = category id).
        var cfg = ConfigLoader.Load(TorchvisionConfig, ["MODEL.DEVICE", "cpu", "DATASETS.TEST", "()", "DATASETS.TRAIN", "()"]);
        using var predictor = Predictor.Load(cfg, file.Path);
        Assert.Equal(WeightScheme.Torchvision, predictor.LoadReport!.Scheme);
        var notes = new List<string>();
        var categories = CategoryResolution.Resolve(cfg, null, predictor.LoadReport, notes.Add);
        Assert.Empty(notes);
        Assert.Equal("classes: 90 from built-in COCO names, torchvision's layout (label = category id)", categories.Summary);
        Assert.Equal((1L, "person"), (categories.CategoryOf(1), categories.NameOf(1)));
        Assert.Equal((12L, "N/A"), (categories.CategoryOf(12), categories.NameOf(12)));
        Assert.Equal((90L, "toothbrush"), (categories.CategoryOf(90), categories.NameOf(90)));
    }

    [Fact]
    public void PredictWithTheTorchvisionConfigPrintsAndWritesCocoNames()
    {
        using var dir = new TempDir();
        MaskRcnn.Data.Shapes.ShapesDatasetWriter.Write(System.IO.Path.Combine(dir.Path, "img"), images: 1, seed: 2, minSide: 64, maxSide: 80);
        var image = Directory.GetFiles(System.IO.Path.Combine(dir.Path, "img", "images")).Single();
        var output = System.IO.Path.Combine(dir.Path, "out");
        var (code, stdout, stderr) = Cli.CliRun.Run(["predict", "--config", TorchvisionConfig, "--weights", file.Path, "--input", image, "--output", output,
            "--score-threshold", "0", "MODEL.DEVICE", "cpu", "DATASETS.TEST", "()", "DATASETS.TRAIN", "()",
            "INPUT.MIN_SIZE_TEST", "64", "INPUT.MAX_SIZE_TEST", "96", "MODEL.ROI_HEADS.SCORE_THRESH", "0.0"]);
        Assert.True(code == 0, stderr);
        Assert.Contains("classes: 90 from built-in COCO names, torchvision's layout (label = category id)\n", stdout);
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(output, "predictions.json")));
        var names = json.RootElement.GetProperty("categories").EnumerateArray()
            .ToDictionary(c => c.GetProperty("id").GetInt64(), c => c.GetProperty("name").GetString());
        Assert.Equal(("person", "toothbrush"), (names[1], names[90]));
        foreach (var annotation in json.RootElement.GetProperty("annotations").EnumerateArray())
            Assert.True(names.ContainsKey(annotation.GetProperty("category_id").GetInt64()));
    }
}
