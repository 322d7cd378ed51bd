using System.Text.Json;
using MaskRcnn.Checkpoint;
using MaskRcnn.Data.Shapes;
using MaskRcnn.SafeTensors;
using MaskRcnn.Tests.Engine;
using MaskRcnn.Tests.WeightFiles;
using MaskRcnn.WeightFiles;
using static MaskRcnn.Tests.Cli.CliRun;

namespace MaskRcnn.Tests.Cli;

/// <summary>
/// The fine-tuning path README describes, end to end through the verbs: configs/shapes/mask_rcnn_R_18_FPN_imagenet.yaml
/// names <c>catalog://ImageNetPretrained/torchvision/resnet18</c>, found under the data folder (here: rule-generated
/// weights in torchvision's resnet18 layout, written by torch), trains on a registered dataset, evaluates, and predicts
/// with the dataset's class names.
/// </summary>
[Collection(TrainingCollection.Name)]
public class FineTuneRecipeTests
{
    static string Recipe => Path.Combine(TestPaths.Configs, "shapes", "mask_rcnn_R_18_FPN_imagenet.yaml");

    static readonly string[] Small =
        ["INPUT.MIN_SIZE_TRAIN", "(64,)", "INPUT.MAX_SIZE_TRAIN", "96", "INPUT.MIN_SIZE_TEST", "64", "INPUT.MAX_SIZE_TEST", "96",
         "SOLVER.IMS_PER_BATCH", "2", "SOLVER.BASE_LR", "0.01", "SOLVER.WARMUP_ITERS", "1", "SOLVER.MAX_ITER", "2", "SOLVER.STEPS", "(1,)",
         "SOLVER.CHECKPOINT_PERIOD", "2", "DATALOADER.NUM_WORKERS", "0", "TEST.IMS_PER_BATCH", "2", "MODEL.ROI_HEADS.SCORE_THRESH", "0.0", "SEED", "3"];

    [Fact]
    public void TrainFromAnImageNetBackboneThenEvalAndPredictWithNames()
    {
        using var dir = new TempDir();
        var models = Path.Combine(dir.Path, "models", "torchvision");
        Directory.CreateDirectory(models);
        var backbone = Path.Combine(models, "resnet18-f37072fd.pth");
        File.Copy(WeightFileFormatTests.Fixture("resnet18_imagenet.pth"), backbone);
        ShapesDatasetWriter.Write(Path.Combine(dir.Path, "mine"), images: 4, seed: 5, minSide: 64, maxSide: 80);
        var catalog = dir.File("catalog.yaml", $"DATA_DIR: {dir.Path}\nDATASETS:\n  mine_train: {{img_dir: mine/images, ann_file: mine/annotations.json}}\n" +
                                               "  mine_val: {img_dir: mine/images, ann_file: mine/annotations.json}\n");
        var output = Path.Combine(dir.Path, "run");
        string[] common = ["PATHS_CATALOG", catalog, "DATASETS.TRAIN", "(\"mine_train\",)", "DATASETS.TEST", "(\"mine_val\",)", "OUTPUT_DIR", output, .. Small];

        var (code, stdout, stderr) = Run(["train", "--config", Recipe, "--skip-test", .. common]);
        Assert.True(code == 0, stderr);
        Assert.Contains($"{backbone} holds only a backbone body (", stdout);
        Assert.DoesNotContain("was trained with", stdout); // the recipe's input settings are torchvision's

        // The frozen stem and layer1 still hold the file's values; layer2 on trained; every checkpoint names the classes.
        var final = Path.Combine(output, Checkpointer.FinalFileName);
        using (var trained = SafeTensorsFile.Load(final))
        using (var file = WeightFile.Open(backbone))
        {
            Assert.True(WeightFileFormatTests.Same(file.Read("layer1.0.conv1.weight"), trained["backbone.body.layer1.0.conv1.weight"]));
            Assert.True(WeightFileFormatTests.Same(file.Read("conv1.weight"), trained["backbone.body.stem.conv1.weight"]));
            Assert.False(WeightFileFormatTests.Same(file.Read("layer2.0.conv1.weight"), trained["backbone.body.layer2.0.conv1.weight"]));
        }
        Assert.Equal(["square", "circle", "triangle"], CheckpointCategories.ReadFile(final)!.Select(c => c.Name));

        (code, stdout, stderr) = Run(["eval", "--config", Recipe, "--weights", final, .. common]);
        Assert.True(code == 0, stderr);
        Assert.Contains("Average Precision", stdout);

        using var predictions = new TempDir();
        var image = Directory.GetFiles(Path.Combine(dir.Path, "mine", "images")).Order(StringComparer.Ordinal).First();
        (code, stdout, stderr) = Run(["predict", "--config", Recipe, "--weights", final, "--input", image, "--output", predictions.Path,
            "--score-threshold", "0", .. common, "DATASETS.TEST", "(\"gone_val\",)"]);
        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(predictions.Path, "predictions.json")));
        Assert.Equal(["square", "circle", "triangle"], json.RootElement.GetProperty("categories").EnumerateArray().Select(c => c.GetProperty("name").GetString()));

        // The backbone file itself is not a detector.
        (code, _, stderr) = Run(["predict", "--config", Recipe, "--weights", backbone, "--input", image, "--output", predictions.Path, .. common]);
        Assert.Equal(2, code);
        Assert.Contains("holds only backbone weights (ImageNet classification), not a detector", stderr);
    }

    [Fact]
    public void AMissingCatalogFileSaysWhatToDownloadAndWhere()
    {
        using var dir = new TempDir();
        var catalog = dir.File("catalog.yaml", $"DATA_DIR: {dir.Path}\nDATASETS: {{}}\n");
        var (code, _, stderr) = Run(["train", "--config", Recipe, "PATHS_CATALOG", catalog, "OUTPUT_DIR", Path.Combine(dir.Path, "run"), .. Small]);
        Assert.Equal(2, code);
        Assert.Equal("maskrcnn: error: catalog://ImageNetPretrained/torchvision/resnet18: not downloaded (this tool downloads nothing); download " +
                     $"https://download.pytorch.org/models/resnet18-f37072fd.pth to {Path.Combine(dir.Path, "models", "torchvision", "resnet18-f37072fd.pth")}\n", stderr);
    }
}
