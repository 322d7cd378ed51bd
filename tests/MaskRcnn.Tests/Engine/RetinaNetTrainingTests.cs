using System.Text.Json;
using MaskRcnn.Config;
using MaskRcnn.Engine;
using MaskRcnn.Inference;
using MaskRcnn.Modeling.RetinaNet;
using MaskRcnn.Structures;

namespace MaskRcnn.Tests.Engine;

/// <summary>The shapes RetinaNet config trains through the ordinary Trainer (two iterations on a tiny set), logs
/// RetinaNet's two losses, and its checkpoint predicts boxes through the ordinary Predictor.</summary>
[Collection(TrainingCollection.Name)]
public sealed class RetinaNetTrainingTests(TrainerSmokeTests.TinyShapes data) : IClassFixture<TrainerSmokeTests.TinyShapes>
{
    MaskRcnnConfig Config(string outputDir) => ConfigLoader.Load(
        Path.Combine(TestPaths.RepoRoot, "configs", "shapes", "retinanet_R_18_FPN_gn.yaml"),
        ["PATHS_CATALOG", data.Catalog, "DATASETS.TRAIN", "(\"tiny_train\",)", "DATASETS.TEST", "()", "OUTPUT_DIR", outputDir,
         "MODEL.RESNETS.BACKBONE_OUT_CHANNELS", "64", "INPUT.MIN_SIZE_TRAIN", "(64,)", "INPUT.MAX_SIZE_TRAIN", "96",
         "INPUT.MIN_SIZE_TEST", "64", "INPUT.MAX_SIZE_TEST", "96", "DATALOADER.NUM_WORKERS", "0",
         "SOLVER.IMS_PER_BATCH", "2", "SOLVER.WARMUP_ITERS", "2", "SOLVER.STEPS", "(100,)", "SOLVER.MAX_ITER", "2",
         "SOLVER.CHECKPOINT_PERIOD", "2", "MODEL.RETINANET.INFERENCE_TH", "0.0", "SEED", "3"]);

    [Fact]
    public void TrainsTwoIterationsAndPredictsBoxes()
    {
        using var run = new TempDir();
        var cfg = Config(run.Path);
        var result = new Trainer(cfg, new TrainingOptions(Resume: false, LogPeriod: 1), new StringWriter()).Run();
        Assert.False(result.Interrupted);
        Assert.Equal(2, result.Iteration);
        var records = File.ReadAllLines(Path.Combine(run.Path, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, records.Count);
        foreach (var r in records)
        {
            double cls = r.GetProperty("loss_retina_cls").GetDouble(), reg = r.GetProperty("loss_retina_reg").GetDouble();
            Assert.True(double.IsFinite(cls) && cls > 0 && double.IsFinite(reg) && reg >= 0, $"losses {cls}, {reg}");
        }

        var weights = Path.Combine(run.Path, "model_final.safetensors");
        using var predictor = Predictor.Load(cfg, weights);
        Assert.IsType<RetinaNetDetector>(predictor.Model);
        Assert.Empty(predictor.LoadReport!.LeftInitialised);
        var detections = predictor.Predict([MaskRcnn.Tests.Inference.TinyModel.Image(80, 120, seed: 2)]).Single();
        Assert.Equal(new ImageSize(80, 120), detections.Size);
        Assert.Equal(20, detections.Count); // no score threshold: the cap
        Assert.All(detections.Field(BoxFields.Labels).data<long>().ToArray(), l => Assert.InRange(l, 1, 3));
    }
}
