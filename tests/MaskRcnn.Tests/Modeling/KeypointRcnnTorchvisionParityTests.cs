using System.IO.Compression;
using System.Runtime.InteropServices;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.Config;
using MaskRcnn.Data.Transforms;
using MaskRcnn.Modeling;
using MaskRcnn.Modeling.MetaArch;
using MaskRcnn.Modeling.RoiHeads;
using MaskRcnn.Modeling.RoiHeads.Keypoint;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Keypoints;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling;

/// <summary>
/// Keypoint R-CNN against torchvision's keypointrcnn_resnet50_fpn on the same (rule-generated) weights and image:
/// configs/torchvision/keypointrcnn_resnet50_fpn.yaml must reproduce its keypoint head's logits, its keypoint loss on
/// given RoIs, its RoI heads' training losses on given proposals, and its detections with their keypoints.
/// Reference: Fixtures/model/torchvision_keypointrcnn_r50_fpn.json (+ _logits.f32.gz) from scripts/make_keypointrcnn_fixture.py.
/// </summary>
public sealed class KeypointRcnnTorchvisionParityTests : IClassFixture<KeypointRcnnTorchvisionParityTests.Run>
{
    public sealed class Run
    {
        public FixtureCase Reference { get; } = TensorFixture.Load("model/torchvision_keypointrcnn_r50_fpn.json")["keypointrcnn_resnet50_fpn"];
        public Tensor[] Features { get; }
        public BoxList Detections { get; }
        public StandardRoiHeads RoiHeads { get; }
        public KeypointHead KeypointHead { get; }
        public ImageSize Size { get; }

        public Run()
        {
            var cfg = ConfigLoader.Load(Path.Combine(TestPaths.RepoRoot, "configs", "torchvision", "keypointrcnn_resnet50_fpn.yaml"), ["MODEL.DEVICE", "cpu"]);
            var model = Assert.IsType<GeneralizedRcnn>(ModelBuilder.Build(cfg));
            using (torch.no_grad())
                foreach (var (name, tensor) in model.state_dict())
                {
                    var torchvisionName = TorchvisionNames.FromOurs(name) ?? throw new InvalidOperationException($"no torchvision name for {name}");
                    using var values = ReferenceWeights.Values(torchvisionName, tensor.shape)!;
                    tensor.copy_(values);
                }
            model.PrepareForInference();
            var modules = model.named_modules().ToDictionary(m => m.name, m => m.module);
            RoiHeads = Assert.IsType<StandardRoiHeads>(modules["roi_heads"]);
            KeypointHead = Assert.IsType<KeypointHead>(modules["roi_heads.keypoint"]);
            int h = Reference.Int("height"), w = Reference.Int("width");
            Size = new ImageSize(h, w);
            var image = DetectionTransform.NormalizerFor(cfg).Apply(ReferenceWeights.UnitImage("image", [3, h, w]));
            var images = ImageList.FromImages([image], cfg.DataLoader.SizeDivisibility);
            using var _ = torch.no_grad();
            Features = model.Features(images.Tensor);
            Detections = model.Forward(images).Detections[0];
        }

        /// <summary>Our keypoint logits [N, 17, 56, 56] for given boxes.</summary>
        public Tensor Logits(Tensor boxes)
        {
            using var _ = torch.no_grad();
            var modules = KeypointHead.named_modules().ToDictionary(m => m.name, m => m.module);
            var extractor = Assert.IsType<KeypointFeatureExtractor>(modules["feature_extractor"]);
            var predictor = Assert.IsType<KeypointPredictor>(modules["predictor"]);
            return predictor.forward(extractor.forward(Features, [boxes]));
        }

        public BoxList Targets() =>
            new BoxList(Reference.Tensor("target_boxes"), Size)
                .With(BoxFields.Labels, torch.ones(2, ScalarType.Int64))
                .With(BoxFields.Keypoints, new PersonKeypoints(Reference.Tensor("target_keypoints"), Size));
    }

    readonly Run run;
    public KeypointRcnnTorchvisionParityTests(Run run) => this.run = run;

    [Fact]
    public void KeypointLogitsMatchOnTheSameBoxes()
    {
        // Detections' boxes and the loss RoIs: logits every 8th cell, and each map's mean and maximum. The logits are
        // within ±0.27 on these weights and differ by at most 6e-7 (LibTorch 2.10 against torch 1.13 convolutions).
        var detected = run.Logits(run.Reference.Tensor("boxes"));
        TensorAssert.Close(run.Reference.Tensor("logits_sub8"), detected[.., .., TensorIndex.Slice(null, null, 8), TensorIndex.Slice(null, null, 8)], rtol: 1e-4, atol: 1e-6, what: "detection logits");
        TensorAssert.Close(run.Reference.Tensor("logits_means"), detected.mean([2, 3]), rtol: 1e-4, atol: 1e-6, what: "detection logit means");
        TensorAssert.Close(run.Reference.Tensor("logits_max"), detected.amax([2, 3]), rtol: 1e-4, atol: 1e-6, what: "detection logit maxima");
        var rois = run.Logits(run.Reference.Tensor("rois"));
        TensorAssert.Close(run.Reference.Tensor("rois_logits_sub8"), rois[.., .., TensorIndex.Slice(null, null, 8), TensorIndex.Slice(null, null, 8)], rtol: 1e-4, atol: 1e-6, what: "RoI logits");
        TensorAssert.Close(run.Reference.Tensor("rois_logits_means"), rois.mean([2, 3]), rtol: 1e-4, atol: 1e-6, what: "RoI logit means");
    }

    [Fact]
    public void KeypointLossMatchesOnGivenRois()
    {
        var rois = new BoxList(run.Reference.Tensor("rois"), run.Size)
            .With(BoxFields.Labels, torch.ones(10, ScalarType.Int64))
            .With(BoxFields.MatchedIndices, run.Reference.Tensor("rois_matched"));
        using var _ = torch.no_grad();
        var loss = run.KeypointHead.Loss(run.Features, [rois], [run.Targets()], null);
        TensorAssert.Close(run.Reference.Tensor("rois_loss_keypoint"), loss.reshape(1), rtol: 1e-5, atol: 0, what: "keypoint loss");
    }

    [Fact]
    public void RoiHeadTrainingLossesMatchOnGivenProposals()
    {
        // Both append the targets' boxes to the proposals before matching (torchvision's add_gt_proposals, our RoiSampler).
        var targets = run.Targets();
        var proposals = new BoxList(run.Reference.Tensor("proposals"), run.Size);
        Dictionary<string, Tensor> losses;
        run.RoiHeads.train();
        try
        {
            using var _ = torch.no_grad();
            losses = run.RoiHeads.Forward(run.Features, [proposals], [targets], null).Losses;
        }
        finally { run.RoiHeads.eval(); }
        TensorAssert.Close(run.Reference.Tensor("loss_classifier"), losses["loss_classifier"].reshape(1), rtol: 1e-5, atol: 0, what: "loss_classifier");
        TensorAssert.Close(run.Reference.Tensor("loss_box_reg"), losses["loss_box_reg"].reshape(1), rtol: 1e-5, atol: 0, what: "loss_box_reg");
        TensorAssert.Close(run.Reference.Tensor("loss_keypoint"), losses["loss_kp"].reshape(1), rtol: 1e-5, atol: 0, what: "loss_kp (torchvision's loss_keypoint)");
    }

    [Fact]
    public void DecodingTorchvisionsOwnLogitsGivesItsKeypoints()
    {
        // Our decoding (maskrcnn-benchmark's, OpenCV's bicubic) against torchvision's (F.interpolate bicubic) on the
        // very same logits: the same cubic kernel (a = −0.75, edges replicated), so the same pixel, scores to float rounding.
        int n = run.Reference.Int("full_logits");
        var logits = torch.tensor(Floats("model/torchvision_keypointrcnn_r50_fpn_logits.f32.gz"), [n, 17, 56, 56]);
        var (keypoints, scores) = KeypointDecoder.Decode(logits, run.Reference.Tensor("boxes")[..n]);
        TensorAssert.Close(run.Reference.Tensor("keypoints")[..n], keypoints, rtol: 0, atol: 1e-4, what: "keypoints");
        TensorAssert.Close(run.Reference.Tensor("keypoints_scores")[..n], scores, rtol: 1e-6, atol: 1e-6, what: "keypoint scores");
        // On all detections the script measured the same: OpenCV's decoding places every keypoint where torchvision's does.
        TensorAssert.Close(run.Reference.Tensor("keypoints"), run.Reference.Tensor("cv_keypoints"), rtol: 0, atol: 1e-4, what: "OpenCV-decoded keypoints");
        TensorAssert.Close(run.Reference.Tensor("keypoints_scores"), run.Reference.Tensor("cv_scores"), rtol: 1e-6, atol: 1e-6, what: "OpenCV-decoded scores");
    }

    [Fact]
    public void DetectionsAndKeypointsMatch()
    {
        var matches = MatchDetections();
        int count = matches.Length;
        Assert.Equal(20, count);
        // All 20, far from any score tie, in torchvision's order.
        Assert.Equal(Enumerable.Range(0, count), matches);
        var boxes = run.Reference.Tensor("boxes");
        var expectedKeypoints = run.Reference.Tensor("keypoints");
        var expectedScores = run.Reference.Tensor("keypoints_scores");
        var ours = run.Detections.Field<PersonKeypoints>(BoxFields.Keypoints).Tensor;
        var ourScores = run.Detections.Field(BoxFields.KeypointScores);
        for (int i = 0; i < count; i++)
        {
            if (matches[i] < 0) continue;
            // A keypoint sits at a heatmap pixel's centre within its box, so it moves with the box (a few 1e-3 px here,
            // from the box regression): within that, every keypoint is at the same pixel as torchvision's.
            double boxDifference = (boxes[i] - run.Detections.Boxes[matches[i]]).abs().max().item<float>();
            TensorAssert.Close(expectedKeypoints[i], ours[matches[i]], rtol: 0, atol: boxDifference + 1e-3, what: $"keypoints of detection {i}");
            TensorAssert.Close(expectedScores[i], ourScores[matches[i]], rtol: 1e-4, atol: 1e-5, what: $"keypoint scores of detection {i}");
        }
    }

    static float[] Floats(string fixture)
    {
        using var file = File.OpenRead(TestPaths.Fixture(fixture));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        gzip.CopyTo(bytes);
        return MemoryMarshal.Cast<byte, float>(bytes.ToArray()).ToArray();
    }

    /// <summary>For each expected detection, the index of ours with the same label, box (0.01 px) and score (1e-4), or −1.</summary>
    int[] MatchDetections()
    {
        var labels = run.Reference.Tensor("labels").data<long>().ToArray();
        var scores = run.Reference.Tensor("scores").data<float>().ToArray();
        var ourLabels = run.Detections.Field(BoxFields.Labels).data<long>().ToArray();
        var ourScores = run.Detections.Field(BoxFields.Scores).data<float>().ToArray();
        var e = run.Reference.Tensor("boxes").data<float>().ToArray().Chunk(4).ToArray();
        var a = run.Detections.Boxes.data<float>().ToArray().Chunk(4).ToArray();
        var used = new bool[a.Length];
        var result = new int[e.Length];
        for (int i = 0; i < e.Length; i++)
        {
            result[i] = -1;
            for (int j = 0; j < a.Length; j++)
                if (!used[j] && labels[i] == ourLabels[j] && Math.Abs(scores[i] - ourScores[j]) < 1e-4 && e[i].Zip(a[j]).All(p => Math.Abs(p.First - p.Second) <= 0.01))
                {
                    (result[i], used[j]) = (j, true);
                    break;
                }
        }
        return result;
    }
}
