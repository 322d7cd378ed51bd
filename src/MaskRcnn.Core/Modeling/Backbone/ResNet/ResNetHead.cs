using MaskRcnn.Config;
using MaskRcnn.Modeling.Backbone.Fusion;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Backbone.ResNet;

/// <summary>
/// maskrcnn-benchmark's ResNetHead as ResNet50Conv5ROIFeatureExtractor uses it: stage 4 (<c>layer4</c>, three
/// bottleneck blocks) run on pooled RoI features of the C4 body, halving their size in its first block unless
/// RES5_DILATION is above 1. Input channels are half the output channels (1024 → 2048 by default).
/// </summary>
public sealed class ResNetHead : nn.Module<Tensor, Tensor>, IInferenceFusable
{
    readonly Sequential layer;

    /// <param name="firstStride">Stride of the first block; null for maskrcnn-benchmark's default (2 after layer1).</param>
    public ResNetHead(ResNetWidths widths, NormLayerFactory norm, int stage = 4, int blockCount = 3, int? firstStride = null, int dilation = 1)
        : base(nameof(ResNetHead))
    {
        if (stage < 1) throw new ArgumentException($"ResNetHead: stage must be ≥ 1, got {stage}");
        OutChannels = widths.StageOutChannels(ResNetBlockKind.Bottleneck, stage);
        InChannels = OutChannels / 2;
        layer = ResNetStages.Make(ResNetBlockKind.Bottleneck, widths, stage, InChannels, blockCount,
            firstStride ?? (stage > 1 ? 2 : 1), dilation, norm);
        register_module($"layer{stage}", layer);
    }

    /// <summary>The head of MODEL.RESNETS (TRANS_FUNC, NUM_GROUPS, WIDTH_PER_GROUP, STRIDE_IN_1X1, RES2_OUT_CHANNELS, RES5_DILATION).</summary>
    public static ResNetHead From(MaskRcnnConfig cfg, double frozenBatchNormEps = NormLayers.MaskRcnnBenchmarkEps) =>
        new(ResNetWidths.From(cfg), NormLayers.ForBlocks(cfg, frozenBatchNormEps), dilation: cfg.Model.ResNets.Res5Dilation);

    public int InChannels { get; }
    public int OutChannels { get; }

    /// <summary>Folds the frozen batch norms for inference (eval mode); see <see cref="IInferenceFusable"/>.</summary>
    public void Fuse() => IInferenceFusable.Apply(this, fuse: true);

    public void Unfuse() => IInferenceFusable.Apply(this, fuse: false);

    public bool IsFused => IInferenceFusable.AnyFused(this);

    /// <summary>Layers are registered by hand under maskrcnn-benchmark's names; TorchSharp would also register
    /// every module-typed field under the field's name.</summary>
    protected override void RegisterComponents() { }

    public override Tensor forward(Tensor input) => layer.call(input);
}
