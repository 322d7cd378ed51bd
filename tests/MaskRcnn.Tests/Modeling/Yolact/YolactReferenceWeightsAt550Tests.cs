using MaskRcnn.Checkpoint;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.Config;
using MaskRcnn.Modeling;
using MaskRcnn.Modeling.Yolact;
using MaskRcnn.SafeTensors;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling.Yolact;

/// <summary>
/// The published-model path: an R-50 YOLACT at 550×550 with 81 classes and square anchors (the reference's
/// yolact_resnet50 config), whose weights come from a file under dbolya/yolact's own names (rule-generated, with its
/// BatchNorm counters), loaded with the scheme detected from the names as <c>convert</c> and <c>--weights</c> do.
/// Its detections and masks must be the reference's (Fixtures/model/yolact_r50_550.json).
/// </summary>
public sealed class YolactReferenceWeightsAt550Tests
{
    [Fact]
    public void DetectionsOfAFileUnderTheReferencesNamesAreTheReferences()
    {
        var f = YolactFixture.Large();
        var cfg = ConfigLoader.Load(null, [
            "MODEL.DEVICE", "cpu", "MODEL.META_ARCHITECTURE", "YOLACT",
            "MODEL.BACKBONE.CONV_BODY", "R-50-FPN", "MODEL.BACKBONE.FROZEN_BN_EPS", "1e-5", "MODEL.RESNETS.STRIDE_IN_1X1", "False",
            "MODEL.YOLACT.NUM_CLASSES", f.NumClasses.ToString(), "MODEL.YOLACT.ANCHOR_SCALES", $"({string.Join(", ", f.AnchorScales)})",
            "MODEL.YOLACT.SQUARE_ANCHORS", f.SquareAnchors ? "True" : "False", "INPUT.SQUASH_SIZE", f.MaxSize.ToString(),
        ]);
        using var model = Assert.IsType<YolactModel>(ModelBuilder.Build(cfg));
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "yolact_resnet50.safetensors");
        using (var file = new StateDict(new Dictionary<string, string> { ["format"] = "pt" }))
        {
            foreach (var (name, tensor) in model.state_dict())
            {
                var reference = YolactNames.FromOurs(name) ?? throw new InvalidOperationException($"{name} has no reference name");
                file.Add(reference, ReferenceWeights.Values(reference, tensor.shape)!);
                if (YolactNames.BatchNormCounterBeside(reference) is { } counter && !file.Contains(counter)) file.Add(counter, torch.tensor(0L));
            }
            SafeTensorsWriter.Write(path, file);
        }

        var report = WeightLoader.LoadFile(model, path);
        Assert.Equal(WeightScheme.Yolact, report.Scheme);
        Assert.Equal(model.state_dict().Count, report.Loaded.Count);
        model.PrepareForInference();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var detections = model.Detect(ImageList.FromImages([YolactParityTests.ReferenceInput(f)[0]]), [new ImageSize(f.Height, f.Width)])[0];
        var matches = YolactParityTests.MatchDetections(f, detections);
        Assert.True(matches.Count(m => m >= 0) >= matches.Length - 2, $"{matches.Count(m => m >= 0)} of {matches.Length} detections reproduced");
        Assert.Equal(Enumerable.Range(0, 20), matches.Take(20));
        YolactParityTests.AssertMasksMatch(f, detections);
    }
}
