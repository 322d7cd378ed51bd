using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.Config;
using MaskRcnn.Modeling;
using MaskRcnn.Modeling.Yolact;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling.Yolact;

/// <summary>
/// The whole YOLACT against dbolya/yolact's own code on the same (rule-generated) weights and image: an R-50 model at
/// 160×160 with 5 classes, configured as the reference's yolact_resnet50 scaled like its im400 config, must reproduce
/// its anchors, FPN features, prototypes, head outputs, the four losses on the fixture's ground truth, and the
/// final detections with their full-size masks.
/// Reference: Fixtures/model/yolact_r50_small.json from scripts/make_yolact_fixture.py.
/// </summary>
public class YolactParityTests : IClassFixture<YolactParityTests.Run>
{
    public sealed class Run
    {
        public YolactFixture Reference { get; } = YolactFixture.Small();
        public YolactModel Model { get; }
        /// <summary>The reference's network input [1,3,S,S] made from the raw image by its transform.</summary>
        public Tensor Input { get; }
        public Tensor[] Features { get; }
        public YolactPredictions Predictions { get; }
        public Dictionary<string, Tensor> Losses { get; }
        public BoxList Detections { get; }

        public Run()
        {
            var f = Reference;
            var cfg = ConfigLoader.Load(null, [
                "MODEL.DEVICE", "cpu", "MODEL.META_ARCHITECTURE", "YOLACT",
                "MODEL.BACKBONE.CONV_BODY", "R-50-FPN", "MODEL.BACKBONE.FROZEN_BN_EPS", "1e-5",
                "MODEL.RESNETS.STRIDE_IN_1X1", "False", // torchvision's Bottleneck, as the reference's
                "MODEL.YOLACT.NUM_CLASSES", f.NumClasses.ToString(),
                "MODEL.YOLACT.ANCHOR_SCALES", $"({string.Join(", ", f.AnchorScales)})",
                "MODEL.YOLACT.SQUARE_ANCHORS", "True",
                "MODEL.YOLACT.MASKS_TO_TRAIN", f.MasksToTrain.ToString(),
                "INPUT.SQUASH_SIZE", f.MaxSize.ToString(),
            ]);
            Model = Assert.IsType<YolactModel>(ModelBuilder.Build(cfg));
            ReferenceWeights.Load(Model, f.StateDict(), ReferenceToOurs);
            Model.eval();

            Input = ReferenceInput(f);
            using var noGrad = torch.no_grad();
            Features = Model.Features(Input);
            Predictions = Model.Predict(Input);
            var images = ImageList.FromImages([Input[0]]);
            Model.train(); // the batch norms stay frozen, as the reference's after freeze_bn()
            Losses = Model.Losses(images, [Targets(f)]);
            Model.eval();
            Detections = Model.Detect(images, [new ImageSize(f.Height, f.Width)])[0];
        }
    }

    /// <summary>The reference's state-dict names to ours, by the converter (null for its num_batches_tracked).</summary>
    public static string? ReferenceToOurs(string name) => YolactNames.ToOurs(name) is { Target: { } target } ? target
        : name.EndsWith(".num_batches_tracked", StringComparison.Ordinal) ? null : throw new ArgumentException($"no mapping for the reference's {name}");

    /// <summary>The reference's FastBaseTransform on the raw RGB image: bilinear (align_corners false) squash of the
    /// 0-255 floats to S×S, then (x − mean) / std with its BGR constants applied to the matching RGB channels.</summary>
    internal static Tensor ReferenceInput(YolactFixture f)
    {
        using var scope = torch.NewDisposeScope();
        var config = f.Case.Param("config");
        var means = config.GetProperty("means_bgr").EnumerateArray().Select(v => (float)v.GetDouble()).Reverse().ToArray();
        var stds = config.GetProperty("std_bgr").EnumerateArray().Select(v => (float)v.GetDouble()).Reverse().ToArray();
        var image = f.RawImage().permute(2, 0, 1).to(ScalarType.Float32).unsqueeze(0);
        var squashed = nn.functional.interpolate(image, [f.MaxSize, f.MaxSize], mode: InterpolationMode.Bilinear, align_corners: false);
        var normalized = (squashed - torch.tensor(means).view(1, 3, 1, 1)) / torch.tensor(stds).view(1, 3, 1, 1);
        return normalized.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>The fixture's ground truth in pixels of the S×S input, labels 1..C−1, the crowd flagged.</summary>
    static BoxList Targets(YolactFixture f)
    {
        var targets = f.Targets();
        int s = f.TargetCanvas;
        var crowd = Enumerable.Range(0, targets.Count).Select(i => i >= targets.Count - f.NumCrowds).ToArray();
        return new BoxList(f.TargetBoxes() * s, new ImageSize(s, s))
            .With(BoxFields.Labels, torch.tensor(targets.Select(t => (long)t.Label + 1).ToArray()))
            .With(BoxFields.Masks, new BitMasks(f.TargetMasks().to(ScalarType.Bool)))
            .With(BoxFields.IsCrowd, torch.tensor(crowd));
    }

    readonly Run run;
    public YolactParityTests(Run run) => this.run = run;

    YolactFixture Reference => run.Reference;

    [Fact]
    public void AnchorsAreExactlyTheReferences()
    {
        TensorAssert.Equal(Reference.Tensor("priors"), run.Predictions.Priors, "square priors");
        var nonSquare = new YolactAnchors(Reference.AnchorScales.Select(s => (double)s).ToArray(), [1.0, 0.5, 2.0], square: false);
        var sizes = run.Features.Select(t => (t.size(2), t.size(3))).ToList();
        TensorAssert.Equal(Reference.Tensor("priors_nonsquare"), nonSquare.For(sizes, Reference.MaxSize, Reference.MaxSize, CPU), "non-square priors");
    }

    [Fact]
    public void FeaturesMatch()
    {
        Assert.Equal(5, run.Features.Length);
        for (int level = 0; level < 5; level++)
        {
            TensorAssert.Close(Reference.Tensor($"fpn{level}_channels01"), run.Features[level][0, ..2], rtol: 1e-4, atol: 1e-4, what: $"P{level + 3} channels 0-1");
            TensorAssert.Close(Reference.Tensor($"fpn{level}_means"), run.Features[level][0].to(ScalarType.Float64).mean([1, 2]), rtol: 1e-4, atol: 1e-4, what: $"P{level + 3} means");
        }
    }

    [Fact]
    public void PrototypesMatch()
    {
        var prototypes = run.Predictions.Prototypes[0].permute(2, 0, 1); // channels first, as stored
        TensorAssert.Close(Reference.Tensor("proto_channels01"), prototypes[..2], rtol: 1e-4, atol: 1e-4, what: "prototype channels 0-1");
        TensorAssert.Close(Reference.Tensor("proto_means"), prototypes.to(ScalarType.Float64).mean([1, 2]), rtol: 1e-4, atol: 1e-4, what: "prototype means");
    }

    [Fact]
    public void HeadOutputsMatch()
    {
        var p = run.Predictions;
        foreach (var (name, actual) in new[] { ("loc", p.Loc[0]), ("conf", p.Conf[0]), ("coeffs", p.Coeffs[0]) })
        {
            TensorAssert.Close(Reference.Every(name), actual[TensorIndex.Slice(step: Reference.AnchorStride)], rtol: 1e-4, atol: 1e-4, what: $"{name} every {Reference.AnchorStride}th anchor");
            // Sums over ~1600 anchors: the absolute tolerance grows with the count.
            TensorAssert.Close(Reference.Tensor($"{name}_colsums"), actual.to(ScalarType.Float64).sum([0L]), rtol: 1e-4, atol: 1e-2, what: $"{name} column sums");
        }
    }

    [Theory]
    [InlineData("B", YolactLoss.BoxLoss)]
    [InlineData("C", YolactLoss.ClassLoss)]
    [InlineData("M", YolactLoss.MaskLoss)]
    [InlineData("S", YolactLoss.SemanticLoss)]
    public void LossMatches(string referenceKey, string ours)
    {
        double expected = Reference.Loss(referenceKey);
        double actual = run.Losses[ours].item<float>();
        Assert.True(Math.Abs(actual - expected) <= 1e-4 * Math.Abs(expected), $"loss {referenceKey}: reference {expected:R}, ours {actual:R}");
    }

    [Fact]
    public void DetectionsMatch()
    {
        var matches = MatchDetections();
        int n = matches.Length;
        Assert.Equal(n, run.Detections.Count);
        // Near the 100-detection cut-off scores may tie to 1e-7 between the two libraries; the rest must be found.
        Assert.True(matches.Count(m => m >= 0) >= n - 2, $"{matches.Count(m => m >= 0)} of {n} detections reproduced");
        Assert.Equal(Enumerable.Range(0, 20), matches.Take(20));
    }

    [Fact]
    public void MasksMatch() => AssertMasksMatch(Reference, run.Detections);

    internal static void AssertMasksMatch(YolactFixture Reference, BoxList detections)
    {
        var matches = MatchDetections(Reference, detections);
        var expected = Reference.Masks();
        var ours = detections.Field<BitMasks>(BoxFields.Masks).Tensor;
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(matches[i] >= 0, $"detection {i} not reproduced");
            var e = torch.tensor(expected[i].Decode(), [Reference.Height, Reference.Width]).to(ScalarType.Bool);
            var a = ours[matches[i]];
            long union = (e | a).sum().item<long>();
            double iou = union == 0 ? 1 : (e & a).sum().item<long>() / (double)union; // two empty masks agree
            Assert.True(iou > 0.99, $"detection {i}: mask IoU {iou} (reference area {expected[i].Area()}, ours {a.sum().item<long>()})");
        }
    }

    /// <summary>For each reference detection, the index of ours with the same class, box in original pixels (0.01 px)
    /// and score (1e-4), or −1.</summary>
    int[] MatchDetections() => MatchDetections(Reference, run.Detections);

    internal static int[] MatchDetections(YolactFixture Reference, BoxList detections)
    {
        var classes = Reference.Tensor("det_classes").data<long>().ToArray();
        var scores = Reference.Tensor("det_scores").data<float>().ToArray();
        var boxes = Reference.Tensor("det_boxes_pixels").data<float>().ToArray();
        var ourLabels = detections.Field(BoxFields.Labels).data<long>().ToArray();
        var ourScores = detections.Field(BoxFields.Scores).data<float>().ToArray();
        var ourBoxes = detections.Boxes.data<float>().ToArray();
        var used = new bool[ourLabels.Length];
        var result = new int[classes.Length];
        for (int i = 0; i < classes.Length; i++)
        {
            result[i] = -1;
            for (int j = 0; j < ourLabels.Length; j++)
            {
                if (used[j] || ourLabels[j] != classes[i] + 1 || Math.Abs(ourScores[j] - scores[i]) > 1e-4) continue;
                if (Enumerable.Range(0, 4).Any(k => Math.Abs(ourBoxes[j * 4 + k] - boxes[i * 4 + k]) > 0.01)) continue;
                used[j] = true;
                result[i] = j;
                break;
            }
        }
        return result;
    }
}
