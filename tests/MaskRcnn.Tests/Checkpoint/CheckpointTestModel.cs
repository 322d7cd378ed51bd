using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Checkpoint;

/// <summary>
/// A tiny module whose names are maskrcnn-benchmark's (a frozen BatchNorm with four buffers, a trainable one
/// with a step counter, a conv, and the class-specific box predictor), for loader and checkpoint tests.
/// scripts/make_checkpoint_fixtures.py writes the same names.
/// </summary>
static class CheckpointTestModel
{
    /// <summary>The module, with its tensors in <paramref name="dtype"/> (TorchSharp's Module.to fails on ModuleDict trees).</summary>
    public static nn.Module Build(int classes = 3, ScalarType dtype = ScalarType.Float32) => new Root(
        ("backbone", nn.ModuleDict(("body", nn.ModuleDict(
            ("stem", nn.ModuleDict(("conv1", nn.Conv2d(3, 2, 1, bias: false, dtype: dtype)), ("bn1", new FrozenBatchNorm(2, dtype)))),
            ("layer1", nn.ModuleDict(("0", nn.ModuleDict(("bn1", nn.BatchNorm2d(2, dtype: dtype)))))))))),
        ("rpn", nn.ModuleDict(("head", nn.ModuleDict(("conv", nn.Conv2d(2, 2, 3, dtype: dtype)))))),
        ("roi_heads", nn.ModuleDict(("box", nn.ModuleDict(("predictor", nn.ModuleDict(
            ("cls_score", nn.Linear(2, classes, dtype: dtype)), ("bbox_pred", nn.Linear(2, classes * 4, dtype: dtype)))))))));

    /// <summary>Every name <see cref="Build"/> has.</summary>
    public static readonly string[] Names =
    [
        "backbone.body.stem.conv1.weight",
        "backbone.body.stem.bn1.weight", "backbone.body.stem.bn1.bias", "backbone.body.stem.bn1.running_mean", "backbone.body.stem.bn1.running_var",
        "backbone.body.layer1.0.bn1.weight", "backbone.body.layer1.0.bn1.bias",
        "backbone.body.layer1.0.bn1.running_mean", "backbone.body.layer1.0.bn1.running_var", "backbone.body.layer1.0.bn1.num_batches_tracked",
        "rpn.head.conv.weight", "rpn.head.conv.bias",
        "roi_heads.box.predictor.cls_score.weight", "roi_heads.box.predictor.cls_score.bias",
        "roi_heads.box.predictor.bbox_pred.weight", "roi_heads.box.predictor.bbox_pred.bias",
    ];

    /// <summary>A state dict fitting <see cref="Build"/>(classes) with distinct values (seeded), without the BatchNorm counter.</summary>
    public static MaskRcnn.SafeTensors.StateDict Weights(int classes = 3, long seed = 1)
    {
        using var model = Build(classes);
        var generator = new torch.Generator((ulong)seed);
        var weights = new MaskRcnn.SafeTensors.StateDict();
        foreach (var (name, tensor) in model.state_dict())
            if (!name.EndsWith("num_batches_tracked", StringComparison.Ordinal))
                weights.Add(name, torch.rand(tensor.shape, generator: generator) + 0.5);
        return weights;
    }

    /// <summary>The top module: registers its children as a model's constructor does (a bare ModuleDict at the top registers nothing).</summary>
    sealed class Root : nn.Module
    {
        public Root(params (string Name, nn.Module Module)[] children) : base(nameof(Root))
        {
            foreach (var (name, module) in children) register_module(name, module);
        }
    }

    /// <summary>maskrcnn-benchmark's FrozenBatchNorm2d: four buffers, no parameters.</summary>
    sealed class FrozenBatchNorm : nn.Module
    {
        public FrozenBatchNorm(int channels, ScalarType dtype) : base(nameof(FrozenBatchNorm))
        {
            register_buffer("weight", torch.ones(channels, dtype));
            register_buffer("bias", torch.zeros(channels, dtype));
            register_buffer("running_mean", torch.zeros(channels, dtype));
            register_buffer("running_var", torch.ones(channels, dtype));
        }
    }
}
