using MaskRcnn.Config;
using MaskRcnn.Data.Coco;
using MaskRcnn.Engine;
using MaskRcnn.Tests.Engine;
using static MaskRcnn.Tests.Cli.CliRun;

namespace MaskRcnn.Tests.Data;

/// <summary>Issue 13: an annotation without a mask ("segmentation" missing, null or []) is fine for boxes, and refused
/// wherever masks are needed — Mask R-CNN training and segm evaluation — before any work, naming the file and the
/// annotation, with exit code 2; never a crash in the mask head mid-run, never a silently smaller ground truth.</summary>
[Collection(TrainingCollection.Name)] // the train verb seeds torch's global generator
public class MissingSegmentationTests
{
    // Image 1: annotation 10 has a polygon; 11 has no "segmentation", 12 a null one, 13 an empty list.
    const string Json = """
        {"images": [{"id": 1, "file_name": "a.png", "width": 40, "height": 30}],
         "categories": [{"id": 1, "name": "x"}],
         "annotations": [
           {"id": 10, "image_id": 1, "category_id": 1, "bbox": [2, 3, 10, 8], "iscrowd": 0, "segmentation": [[2, 3, 12, 3, 12, 11, 2, 11]]},
           {"id": 11, "image_id": 1, "category_id": 1, "bbox": [20, 3, 10, 8], "iscrowd": 0},
           {"id": 12, "image_id": 1, "category_id": 1, "bbox": [2, 15, 10, 8], "iscrowd": 0, "segmentation": null},
           {"id": 13, "image_id": 1, "category_id": 1, "bbox": [20, 15, 10, 8], "iscrowd": 0, "segmentation": []}]}
        """;

    const string Message = "annotation 11 (and 2 more) has no segmentation (missing, null or empty); ";

    [Fact]
    public void BoxesLoadAndMasksAreRequiredByName()
    {
        using var dir = new TempDir();
        var path = dir.File("gt.json", Json);
        var file = CocoFile.Load(path); // a box-only (or partly box-only) file is a valid detection dataset
        Assert.Equal([false, true, true, true], file.Annotations.Select(a => a.Segmentation is null));
        var e = Assert.Throws<DataException>(() => file.RequireSegmentations("what needs them"));
        Assert.Equal($"{path}: {Message}what needs them", e.Message);
    }

    [Fact]
    public void MaskRcnnTrainingRefusesBeforeTheFirstIteration()
    {
        using var dir = new TempDir();
        var path = dir.File("bad.json", Json);
        var catalog = dir.File("catalog.yaml", "DATASETS:\n  bad_train: {img_dir: images, ann_file: bad.json}\n");
        var run = Path.Combine(dir.Path, "run");
        var (code, stdout, stderr) = Run("train", "--config", Path.Combine(TestPaths.RepoRoot, "configs", "shapes", "mask_rcnn_R_18_FPN_gn.yaml"),
            "PATHS_CATALOG", catalog, "DATASETS.TRAIN", "(\"bad_train\",)", "DATASETS.TEST", "()", "OUTPUT_DIR", run,
            "MODEL.RESNETS.BACKBONE_OUT_CHANNELS", "64", "MODEL.ROI_BOX_HEAD.MLP_HEAD_DIM", "64", "MODEL.ROI_MASK_HEAD.CONV_LAYERS", "(64,)");
        Assert.Equal(2, code);
        Assert.Equal($"maskrcnn: error: {path}: {Message}MODEL.MASK_ON trains a mask for every annotation of bad_train: add the masks, " +
                     "remove those annotations, or set MODEL.MASK_ON False to train boxes only\n", stderr);
        Assert.DoesNotContain("training", stdout);
        Assert.False(File.Exists(Path.Combine(run, "last_checkpoint")));
    }

    [Fact]
    public void TrainingRefusesATestSetWithoutMasksBeforeTrainingNotAfter()
    {
        using var dir = new TempDir();
        var path = dir.File("bad.json", Json);
        var catalog = dir.File("catalog.yaml", "DATASETS:\n  bad_val: {img_dir: images, ann_file: bad.json}\n");
        var run = Path.Combine(dir.Path, "run");
        var (code, stdout, stderr) = Run("train", "--config", Path.Combine(TestPaths.RepoRoot, "configs", "shapes", "mask_rcnn_R_18_FPN_gn.yaml"),
            "PATHS_CATALOG", catalog, "DATASETS.TRAIN", "(\"nope_train\",)", "DATASETS.TEST", "(\"bad_val\",)", "OUTPUT_DIR", run);
        Assert.Equal(2, code);
        Assert.Equal($"maskrcnn: error: {path}: {Message}segm evaluation (MODEL.MASK_ON) scores every annotation's mask in bad_val: " +
                     "add the masks or remove those annotations\n", stderr);
        Assert.False(Directory.Exists(run)); // checked before the trainer starts (an unknown train set would be found there)
    }

    [Fact]
    public void ModelEvaluationRefusesBeforeTheModelRuns()
    {
        using var dir = new TempDir();
        var path = dir.File("bad.json", Json);
        var catalog = dir.File("catalog.yaml", "DATASETS:\n  bad_val: {img_dir: images, ann_file: bad.json}\n");
        var cfg = ConfigLoader.Load(null, ["MODEL.MASK_ON", "True", "MODEL.DEVICE", "cpu", "PATHS_CATALOG", catalog,
                                           "DATASETS.TEST", "(\"bad_val\",)", "OUTPUT_DIR", Path.Combine(dir.Path, "run")]);
        // Merging shards opens the test datasets first, as a run does, and needs no model.
        var e = Assert.Throws<DataException>(() => new TestRunner(cfg, new StringWriter(), liveProgress: false).Merge(1));
        Assert.Equal($"{path}: {Message}segm evaluation (MODEL.MASK_ON) scores every annotation's mask in bad_val: add the masks or remove those annotations", e.Message);
    }

    [Fact]
    public void StandaloneSegmEvaluationRefusesBeforeScoringAndBboxStillScores()
    {
        using var dir = new TempDir();
        var gt = dir.File("gt.json", Json);
        var results = dir.File("results.json", """[{"image_id": 1, "category_id": 1, "bbox": [2, 3, 10, 8], "score": 0.9, "segmentation": {"size": [30, 40], "counts": [0, 1200]}}]""");
        var output = Path.Combine(dir.Path, "e.json");
        var (code, stdout, stderr) = Run("eval", "--gt", gt, "--results", results, "--output", output); // default: bbox and segm
        Assert.Equal((2, $"maskrcnn: error: {gt}: {Message}segm evaluation scores every annotation's mask (use --iou-type bbox to score boxes only)\n"),
            (code, stderr));
        Assert.DoesNotContain("Evaluate annotation type", stdout);
        Assert.False(File.Exists(output));

        (code, stdout, stderr) = Run("eval", "--gt", gt, "--results", results, "--iou-type", "bbox", "--output", output);
        Assert.Equal((0, ""), (code, stderr));
        Assert.Contains("Evaluate annotation type *bbox*", stdout);
    }
}
