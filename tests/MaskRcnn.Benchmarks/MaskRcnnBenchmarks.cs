using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.Config;
using MaskRcnn.Modeling;
using MaskRcnn.Modeling.MetaArch;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using MaskRcnn.Tests.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Benchmarks;

/// <summary>The whole Mask R-CNN R-50-FPN as configs/torchvision/maskrcnn_resnet50_fpn.yaml builds it, on the reference-weight
/// rule (the same model scripts/bench_torchvision_maskrcnn.py times in torchvision): inference and training steps.</summary>
public static class MaskRcnnBenchmarks
{
    public static IEnumerable<BenchCase> Cases() =>
    [
        new("Mask R-CNN R-50-FPN inference, 800x1088, batch 1", () =>
        {
            var model = Build();
            model.PrepareForInference();
            var images = ImageList.FromImages([Image(800, 1088, "image")], 32);
            return () =>
            {
                using var _ = torch.no_grad();
                model.Forward(images);
            };
        }),
        Training(800, 1088),
        Training(512, 512),
        Stage("RPN (head + proposals)", (model, images, features) => model.Rpn.Forward(images, features, null)),
        Stage("backbone + RPN + box head + mask head", (model, images, _) => model.Forward(images)),
    ];

    /// <summary>Inference of part of the model at 800×1088, to see where the time goes (features computed once, outside the timing).</summary>
    static BenchCase Stage(string what, Action<GeneralizedRcnn, ImageList, Tensor[]> run) => new($"Mask R-CNN stage: {what}, 800x1088", () =>
    {
        var model = Build();
        model.PrepareForInference();
        var images = ImageList.FromImages([Image(800, 1088, "image")], 32);
        Tensor[] features;
        using (torch.no_grad()) features = model.Features(images.Tensor);
        return () =>
        {
            using var _ = torch.no_grad();
            run(model, images, features);
        };
    });

    static BenchCase Training(int h, int w) => new($"Mask R-CNN R-50-FPN training step, {h}x{w}, batch 2", () =>
    {
        var model = Build();
        model.train();
        var images = ImageList.FromImages([Image(h, w, "image0"), Image(h, w, "image1")], 32);
        var targets = new[] { Target(h, w), Target(h, w) };
        var optimizer = torch.optim.SGD(model.parameters().Where(p => p.requires_grad), 1e-4, momentum: 0.9);
        return () =>
        {
            var (_, losses) = model.Forward(images, targets);
            var total = losses.Values.Aggregate((a, b) => a + b);
            optimizer.zero_grad();
            total.backward();
            optimizer.step();
        };
    });

    static GeneralizedRcnn Build()
    {
        var cfg = ConfigLoader.Load(Path.Combine(RepoRoot(), "configs", "torchvision", "maskrcnn_resnet50_fpn.yaml"), ["MODEL.DEVICE", "cpu"]);
        var model = (GeneralizedRcnn)ModelBuilder.Build(cfg);
        using var _ = torch.no_grad();
        foreach (var (name, tensor) in model.state_dict())
            if (TorchvisionNames.FromOurs(name) is { } tv && ReferenceWeights.Values(tv, tensor.shape) is { } values)
                tensor.copy_(values);
        return model;
    }

    /// <summary>The same input as the torchvision script: the rule's u in [0,1), normalized as torchvision does.</summary>
    static Tensor Image(int h, int w, string key) =>
        new Data.Transforms.ImageNormalizer(false, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]).Apply(ReferenceWeights.UnitImage(key, [3, h, w]));

    static BoxList Target(int h, int w)
    {
        var boxes = torch.tensor(new float[] { 40, 60, 300, 400, 500, 100, 900, 500, 200, 450, 700, 780 }, [3, 4]);
        boxes = Layers.BoxOps.Clip(boxes, h, w);
        var masks = torch.zeros([3, h, w], ScalarType.Bool);
        var b = boxes.to(ScalarType.Int64).data<long>().ToArray();
        for (int k = 0; k < 3; k++) masks[k, (int)b[4 * k + 1]..(int)b[4 * k + 3], (int)b[4 * k]..(int)b[4 * k + 2]] = torch.tensor(true);
        return new BoxList(boxes, new ImageSize(h, w)).With(BoxFields.Labels, torch.tensor(new long[] { 1, 2, 3 })).With(BoxFields.Masks, new BitMasks(masks));
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MaskRcnnCli.sln"))) return dir.FullName;
        throw new InvalidOperationException("MaskRcnnCli.sln not found");
    }
}
