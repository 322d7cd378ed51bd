using System.Text.RegularExpressions;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.Config;
using MaskRcnn.Data.Transforms;
using MaskRcnn.Modeling;
using MaskRcnn.Modeling.RetinaNet;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling.RetinaNet;

/// <summary>
/// RetinaNet against torchvision's retinanet_resnet50_fpn on the same (rule-generated) weights and image:
/// configs/torchvision/retinanet_resnet50_fpn.yaml must reproduce its P3–P7 features, head outputs, anchors and
/// detections (labels one higher: its category 0 is our label 1). Reference: Fixtures/model/torchvision_retinanet_r50_fpn.json
/// from scripts/make_retinanet_fixture.py.
/// </summary>
public sealed class TorchvisionRetinaNetParityTests : IClassFixture<TorchvisionRetinaNetParityTests.Run>
{
    public sealed class Run
    {
        public FixtureCase Reference { get; } = TensorFixture.Load("model/torchvision_retinanet_r50_fpn.json")["retinanet_resnet50_fpn"];
        public Tensor[] Features { get; }
        public Tensor[] Anchors { get; }
        public Tensor[] Logits { get; }
        public Tensor[] Deltas { get; }
        public BoxList Detections { get; }
        public RetinaNetOptions Options { get; }

        public Run()
        {
            var cfg = ConfigLoader.Load(Path.Combine(TestPaths.RepoRoot, "configs", "torchvision", "retinanet_resnet50_fpn.yaml"), ["MODEL.DEVICE", "cpu"]);
            var model = Assert.IsType<RetinaNetDetector>(ModelBuilder.Build(cfg));
            Options = RetinaNetOptions.From(cfg);
            using (torch.no_grad())
                foreach (var (name, tensor) in model.state_dict())
                {
                    using var values = ReferenceWeights.Values(TorchvisionName(name), tensor.shape)!;
                    tensor.copy_(values);
                }
            model.PrepareForInference();
            int h = Reference.Int("height"), w = Reference.Int("width");
            var image = DetectionTransform.NormalizerFor(cfg).Apply(ReferenceWeights.UnitImage("image", [3, h, w]));
            var images = ImageList.FromImages([image], cfg.DataLoader.SizeDivisibility);
            using var _ = torch.no_grad();
            Features = model.Backbone.call(images.Tensor);
            (Anchors, Logits, Deltas) = model.Rpn.Predict(images, Features);
            Detections = model.Forward(images).Detections[0];
        }

        /// <summary>torchvision's RetinaNet name of ours. Its FPN numbers levels from P3 and its head has its own layer
        /// names, which the shared Mask R-CNN rules of <see cref="TorchvisionNames"/> do not know.</summary>
        static string TorchvisionName(string ours)
        {
            var fpn = Regex.Match(ours, @"^backbone\.fpn\.fpn_(?<k>inner|layer)(?<i>\d)\.(?<p>weight|bias)$");
            if (fpn.Success) return $"backbone.fpn.{fpn.Groups["k"]}_blocks.{int.Parse(fpn.Groups["i"].Value) - 2}.0.{fpn.Groups["p"]}";
            if (ours.StartsWith("rpn.head.cls_logits.")) return "head.classification_head.cls_logits." + ours.Split('.')[^1];
            if (ours.StartsWith("rpn.head.bbox_pred.")) return "head.regression_head.bbox_reg." + ours.Split('.')[^1];
            return TorchvisionNames.FromOurs(ours) ?? throw new InvalidOperationException($"no torchvision name for {ours}");
        }
    }

    readonly Run run;
    public TorchvisionRetinaNetParityTests(Run run) => this.run = run;

    [Fact]
    public void FeaturesMatch()
    {
        Assert.Equal(5, run.Features.Length);
        for (int level = 0; level < 5; level++)
        {
            TensorAssert.Close(run.Reference.Tensor($"features{level}_channels01"), run.Features[level][0, ..2], rtol: 1e-4, atol: 1e-4, what: $"P{level + 3} channels 0-1");
            TensorAssert.Close(run.Reference.Tensor($"features{level}_means"), run.Features[level][0].mean([1, 2]), rtol: 1e-4, atol: 1e-4, what: $"P{level + 3} means");
        }
    }

    [Fact]
    public void HeadOutputsAndAnchorsMatch()
    {
        for (int level = 0; level < 5; level++)
        {
            TensorAssert.Close(run.Reference.Tensor($"logits{level}_first50"), run.Logits[level][0, ..50], rtol: 1e-4, atol: 1e-4, what: $"P{level + 3} logits");
            TensorAssert.Close(run.Reference.Tensor($"logits{level}_means"), run.Logits[level][0].mean([0]), rtol: 1e-4, atol: 1e-4, what: $"P{level + 3} logit means");
            TensorAssert.Close(run.Reference.Tensor($"deltas{level}_first50"), run.Deltas[level][0, ..50], rtol: 1e-4, atol: 1e-4, what: $"P{level + 3} deltas");
            TensorAssert.Close(run.Reference.Tensor($"anchors{level}_first50"), run.Anchors[level][..50], rtol: 0, atol: 0, what: $"P{level + 3} anchors");
        }
    }

    [Fact]
    public void LossesMatchTorchvisionsAndMaskrcnnBenchmarksNormalisationDiffersAsDocumented()
    {
        // The same head outputs and anchors, and torchvision's targets (our labels one higher). The shipped config sets
        // torchvision's loss: L1 (BBOX_REG_BETA 0), BBOX_REG_WEIGHT 1, per-image normalisation.
        var r = run.Reference;
        var target = new BoxList(r.Tensor("target_boxes"), new ImageSize(r.Int("height"), r.Int("width")))
            .With(BoxFields.Labels, r.Tensor("target_labels") + 1);
        Assert.True(run.Options.PerImageNormalization);
        var loss = new RetinaNetLoss(run.Options, new MaskRcnn.Layers.BoxCoder(run.Options.BoxCoderWeights));
        using var anchors = torch.cat(run.Anchors, 0);
        var (labels, _) = loss.Targets(anchors, target);
        long foreground = (labels > 0).sum().item<long>();
        Assert.Equal(r.Tensor("foreground").item<long>(), foreground);
        using var logits = torch.cat(run.Logits, 1);
        using var deltas = torch.cat(run.Deltas, 1);
        var (cls, box) = loss.Compute(anchors, logits, deltas, [target]);
        double expectedCls = r.Tensor("loss_classifier").item<float>(), expectedBox = r.Tensor("loss_box_reg").item<float>();
        Assert.True(Math.Abs(cls.item<float>() - expectedCls) <= 1e-4 * expectedCls, $"classification {cls.item<float>()} vs torchvision's {expectedCls}");
        Assert.True(Math.Abs(box.item<float>() - expectedBox) <= 1e-4 * expectedBox, $"box {box.item<float>()} vs torchvision's {expectedBox}");

        // maskrcnn-benchmark's normalisation divides the focal sum by foreground + images instead.
        var benchmark = new RetinaNetLoss(run.Options with { PerImageNormalization = false }, new MaskRcnn.Layers.BoxCoder(run.Options.BoxCoderWeights));
        var (benchmarkCls, benchmarkBox) = benchmark.Compute(anchors, logits, deltas, [target]);
        Assert.Equal(expectedCls * Math.Max(1, foreground) / (foreground + 1), benchmarkCls.item<float>(), 1e-4 * expectedCls);
        Assert.Equal(box.item<float>(), benchmarkBox.item<float>(), 1e-6);

        // Two images: torchvision averages the per-image losses; the same image twice gives the same loss.
        var (twiceCls, twiceBox) = loss.Compute(anchors, torch.cat([logits, logits]), torch.cat([deltas, deltas]), [target, target]);
        Assert.Equal(cls.item<float>(), twiceCls.item<float>(), 1e-4 * expectedCls);
        Assert.Equal(box.item<float>(), twiceBox.item<float>(), 1e-4 * expectedBox);
    }

    [Fact]
    public void DetectionsMatch()
    {
        var labels = run.Reference.Tensor("labels").data<long>().ToArray();
        var scores = run.Reference.Tensor("scores").data<float>().ToArray();
        var boxes = run.Reference.Tensor("boxes").data<float>().ToArray().Chunk(4).ToArray();
        var ourLabels = run.Detections.Field(BoxFields.Labels).data<long>().ToArray();
        var ourScores = run.Detections.Field(BoxFields.Scores).data<float>().ToArray();
        var ourBoxes = run.Detections.Boxes.data<float>().ToArray().Chunk(4).ToArray();
        Assert.Equal(labels.Length, ourLabels.Length);
        var used = new bool[ourLabels.Length];
        var matches = new int[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            matches[i] = -1;
            for (int j = 0; j < ourLabels.Length; j++)
                if (!used[j] && ourLabels[j] == labels[i] + 1 && Math.Abs(ourScores[j] - scores[i]) < 1e-4
                    && boxes[i].Zip(ourBoxes[j]).All(p => Math.Abs(p.First - p.Second) <= 0.01))
                {
                    (matches[i], used[j]) = (j, true);
                    break;
                }
        }
        // As for Mask R-CNN: LibTorch versions differ in the 7th digit, so near-ties may order or cut differently.
        Assert.True(matches.Count(m => m >= 0) >= labels.Length - 5, $"{matches.Count(m => m >= 0)} of {labels.Length} detections reproduced");
        Assert.Equal(Enumerable.Range(0, 20), matches.Take(20));
    }
}
