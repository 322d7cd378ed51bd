using System.Text.Json;
using MaskRcnn.Tests.Engine;
using MaskRcnn.Tests.Inference;
using static MaskRcnn.Tests.Cli.CliRun;

namespace MaskRcnn.Tests.Cli;

/// <summary><c>eval</c> and <c>predict</c> with TEST.BBOX_AUG on the tiny checkpoint: both run it, boxes and averaged masks.</summary>
[Collection(TrainingCollection.Name)]
public class TestTimeAugmentationCliTests : IClassFixture<PredictCommandTests.Setup>
{
    static readonly string[] Tta = ["TEST.BBOX_AUG.ENABLED", "True", "TEST.BBOX_AUG.H_FLIP", "True", "TEST.BBOX_AUG.SCALES", "(80,)",
                                    "TEST.BBOX_AUG.MAX_SIZE", "120", "TEST.BBOX_AUG.SCALE_H_FLIP", "True"];

    readonly PredictCommandTests.Setup setup;
    public TestTimeAugmentationCliTests(PredictCommandTests.Setup setup) => this.setup = setup;

    string[] Common(string outputDir) => [.. TinyModel.Overrides, "PATHS_CATALOG", setup.Catalog, "DATASETS.TEST", "(\"tiny_val\",)", "OUTPUT_DIR", outputDir, .. Tta];

    [Fact]
    public void PredictWritesAugmentedBoxesAndMasks()
    {
        using var output = new TempDir();
        var (code, stdout, stderr) = Run(["predict", "--config", TinyModel.ConfigFile, "--weights", setup.Checkpoint, "--input", Path.Combine(setup.Inputs, "a.png"),
            "--output", output.Path, "--score-threshold", "0", .. Common(output.Path)]);
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "predictions.json")));
        var annotations = json.RootElement.GetProperty("annotations").EnumerateArray().ToList();
        Assert.Equal(20, annotations.Count); // DETECTIONS_PER_IMG after pooling four passes
        Assert.All(annotations, a => Assert.True(a.TryGetProperty("segmentation", out _)));
        foreach (var a in annotations)
        {
            var box = a.GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.True(box[0] >= 0 && box[1] >= 0 && box[0] + box[2] <= 80 + 1e-3 && box[1] + box[3] <= 64 + 1e-3, $"box {string.Join(",", box)} outside the 80×64 image");
        }

        (code, _, stderr) = Run(["predict", "--config", TinyModel.ConfigFile, "--weights", setup.Checkpoint, "--input", Path.Combine(setup.Inputs, "a.png"),
            "--output", output.Path, "--save-masks", "--score-threshold", "0", .. Common(output.Path)]);
        Assert.True(code == 0, stderr);
        Assert.True(File.Exists(Path.Combine(output.Path, "a.masks.png")));
    }

    [Fact]
    public void EvalScoresAugmentedBoxesAndMasks()
    {
        using var output = new TempDir();
        var (code, stdout, stderr) = Run(["eval", "--config", TinyModel.ConfigFile, "--weights", setup.Checkpoint, .. Common(output.Path)]);
        Assert.True(code == 0, stderr);
        var folder = Path.Combine(output.Path, "inference", "tiny_val");
        Assert.True(File.Exists(Path.Combine(folder, "bbox.json")), stdout);
        Assert.True(File.Exists(Path.Combine(folder, "segm.json")), "test-time augmentation gives masks to score");
        Assert.True(File.Exists(Path.Combine(folder, "coco_eval.json")), stdout);
    }
}
