using MaskRcnn.Config;
using MaskRcnn.Modeling.Backbone;
using TorchSharp;

namespace MaskRcnn.Benchmarks;

/// <summary>
/// Backbone + FPN inference on one 800×1088 image, as scripts/bench_torchvision_model.py times torchvision's
/// resnet_fpn_backbone (same names). The unfolded case shows what folding the frozen batch norms brings.
/// </summary>
public static class BackboneBenchmarks
{
    public static IEnumerable<BenchCase> Cases() =>
    [
        Inference("R-50-FPN", fold: true, "R-50-FPN backbone+FPN 800x1088, inference"),
        Inference("R-50-FPN", fold: false, "R-50-FPN backbone+FPN 800x1088, BN not folded"),
        Inference("R-18-FPN", fold: true, "R-18-FPN backbone+FPN 800x1088, inference"),
    ];

    static BenchCase Inference(string convBody, bool fold, string name) => new(name, () =>
    {
        var cfg = new MaskRcnnConfig();
        cfg.Model.Backbone.ConvBody = convBody;
        cfg.Model.ResNets.BackboneOutChannels = 256;
        var backbone = BackboneFactory.Build(cfg);
        backbone.eval();
        if (fold) backbone.Fuse();
        var image = torch.randn([1, 3, OpsInputs.ImageHeight, OpsInputs.ImageWidth], generator: new torch.Generator(4));
        return () =>
        {
            using var noGrad = torch.no_grad();
            backbone.call(image);
        };
    });
}
