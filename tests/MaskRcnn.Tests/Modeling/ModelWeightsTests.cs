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

        public TorchvisionFile()
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("model/torchvision_state_dict_names.json")));
            var tensors = new List<KeyValuePair<string, Tensor>>();
            foreach (var entry in doc.RootElement.GetProperty("models").GetProperty("maskrcnn_resnet50_fpn").EnumerateArray())
            {
                var name = entry[0].GetString()!;
                var shape = entry[1].EnumerateArray().Select(x => x.GetInt64()).ToArray();
                var values = ReferenceWeights.Values(name, shape) ?? torch.zeros(shape, ScalarType.Int64);
                tensors.Add(new(name, values));
            }
            SafeTensorsWriter.Write(Path, tensors);
        }

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
        Assert.Null(ModelWeights.Load(model, ""));
        Assert.True(ModelWeights.Load(model, file.Path)!.Succeeded);
        Assert.Contains("catalog weights are downloads", Assert.Throws<ConfigException>(() => ModelWeights.Load(model, "catalog://ImageNetPretrained/MSRA/R-50")).Message);
        Assert.Contains("weights file not found: nope.safetensors", Assert.Throws<ConfigException>(() => ModelWeights.Load(model, "nope.safetensors")).Message);
        // A model the file does not fit (a C4 body) copies nothing and says why.
        var c4 = ModelBuilder.Build(ConfigLoader.Load(System.IO.Path.Combine(TestPaths.Configs, "e2e_mask_rcnn_R_50_C4_1x.yaml"), ["MODEL.DEVICE", "cpu"]));
        Assert.Throws<WeightLoadException>(() => ModelWeights.Load(c4, file.Path));
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
}
