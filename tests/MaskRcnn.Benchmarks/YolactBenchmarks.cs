using MaskRcnn.Config;
using MaskRcnn.Data.Transforms;
using MaskRcnn.Modeling;
using MaskRcnn.Modeling.MetaArch;
using MaskRcnn.Structures;
using MaskRcnn.Tests.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Benchmarks;

/// <summary>
/// YOLACT against our Mask R-CNN, inference, same machine and run: R-50 models as the papers compare them (YOLACT at
/// 550×550; Mask R-CNN R-50-FPN at 800×1088 is <see cref="MaskRcnnBenchmarks"/>' case), and the two CPU recipes of
/// configs/shapes. Weights follow the reference-weight rule by our names; YOLACT's SCORE_THRESH is 0 so that it keeps
/// its full DETECTIONS_PER_IMG, as Mask R-CNN's case keeps 100 (with trained weights most anchors fall under 0.05).
/// </summary>
public static class YolactBenchmarks
{
    public static IEnumerable<BenchCase> Cases() =>
    [
        Inference("YOLACT R-50-FPN inference, 550x550 from 480x640, batch 1", Path.Combine("yolact", "yolact_resnet50.yaml"),
            550, 550, new ImageSize(480, 640), ["MODEL.YOLACT.SCORE_THRESH", "0"]),
        Inference("YOLACT R-101-FPN inference, 550x550 from 480x640, batch 1", Path.Combine("yolact", "yolact_base.yaml"),
            550, 550, new ImageSize(480, 640), ["MODEL.YOLACT.SCORE_THRESH", "0"]),
        Inference("shapes Mask R-CNN R-18-FPN GN inference, 192x256, batch 1", Path.Combine("shapes", "mask_rcnn_R_18_FPN_gn.yaml"),
            192, 256, new ImageSize(192, 256), ["MODEL.ROI_HEADS.SCORE_THRESH", "0"]),
        Inference("shapes YOLACT R-18-FPN GN inference, 192x256, batch 1", Path.Combine("shapes", "yolact_R_18_FPN_gn.yaml"),
            192, 256, new ImageSize(192, 256), ["MODEL.YOLACT.SCORE_THRESH", "0"]),
    ];

    static BenchCase Inference(string name, string config, int h, int w, ImageSize original, string[] overrides) => new(name, () =>
    {
        var cfg = ConfigLoader.Load(Path.Combine(MaskRcnnBenchmarks.RepoRoot(), "configs", config), ["MODEL.DEVICE", "cpu", "MODEL.WEIGHT", "", .. overrides]);
        var model = ModelBuilder.Build(cfg);
        using (torch.no_grad())
            foreach (var (key, tensor) in model.state_dict())
                if (ReferenceWeights.Values(key, tensor.shape) is { } values) tensor.copy_(values);
        model.PrepareForInference();
        var image = DetectionTransform.NormalizerFor(cfg).Apply(ReferenceWeights.UnitImage("image", [3, h, w]));
        var images = ImageList.FromImages([image], cfg.DataLoader.SizeDivisibility);
        return () =>
        {
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            model.Detect(images, [original]);
        };
    });
}
