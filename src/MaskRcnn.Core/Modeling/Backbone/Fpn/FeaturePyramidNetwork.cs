using MaskRcnn.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Backbone.Fpn;

/// <summary>
/// maskrcnn-benchmark's FPN: per level a 1×1 lateral convolution (<c>fpn_inner{i}</c>) and a 3×3 output
/// convolution (<c>fpn_layer{i}</c>), all of the FPN width; top-down, each coarser inner map is upsampled
/// (nearest, to the lateral's size as torchvision does) and added to the lateral. Then the top block adds
/// coarser levels. With GroupNorm or ReLU a convolution becomes Sequential(conv, GN?, ReLU?) — names
/// <c>fpn_inner1.0.weight</c>, <c>fpn_inner1.1.weight</c> — as maskrcnn-benchmark's conv_with_kaiming_uniform.
/// A level with 0 input channels is skipped (RetinaNet's P3–P7 uses C3–C5 only); skipped levels come first.
/// </summary>
public sealed class FeaturePyramidNetwork : nn.Module<Tensor[], Tensor[]>
{
    readonly int firstLevel;
    readonly nn.Module<Tensor, Tensor>[] inner, layer;
    readonly FpnTopBlock? top;

    /// <param name="inChannels">Channels of each body output, finest first; 0 skips a level.</param>
    /// <param name="groupNorm">GroupNorm after each convolution (then without bias); null for none.</param>
    /// <param name="useRelu">ReLU after each convolution (MODEL.FPN.USE_RELU).</param>
    public FeaturePyramidNetwork(IReadOnlyList<int> inChannels, int outChannels, GroupNormFactory? groupNorm, bool useRelu, FpnTopBlock? topBlock)
        : base(nameof(FeaturePyramidNetwork))
    {
        firstLevel = inChannels.TakeWhile(c => c == 0).Count();
        if (firstLevel == inChannels.Count || inChannels.Skip(firstLevel).Any(c => c <= 0))
            throw new ArgumentException($"FPN: input channels must be positive after any leading zeros, got [{string.Join(", ", inChannels)}]");
        InChannels = inChannels.ToArray();
        OutChannels = outChannels;
        int levels = inChannels.Count - firstLevel;
        inner = new nn.Module<Tensor, Tensor>[levels];
        layer = new nn.Module<Tensor, Tensor>[levels];
        for (int i = 0; i < levels; i++)
        {
            int index = firstLevel + i + 1;
            inner[i] = Conv(inChannels[firstLevel + i], outChannels, 1, groupNorm, useRelu);
            layer[i] = Conv(outChannels, outChannels, 3, groupNorm, useRelu);
            register_module($"fpn_inner{index}", inner[i]);
            register_module($"fpn_layer{index}", layer[i]);
        }
        top = topBlock;
        if (top is not null) register_module("top_blocks", top);
    }

    public IReadOnlyList<int> InChannels { get; }
    public int OutChannels { get; }

    /// <summary>Levels out: one per used input level plus the top block's.</summary>
    public int OutputCount => inner.Length + (top?.LevelCount ?? 0);

    /// <summary>maskrcnn-benchmark's conv_with_kaiming_uniform(use_gn, use_relu).</summary>
    static nn.Module<Tensor, Tensor> Conv(int inChannels, int outChannels, int kernelSize, GroupNormFactory? groupNorm, bool useRelu)
    {
        var conv = ConvLayers.KaimingUniform(inChannels, outChannels, kernelSize, 1, padding: (kernelSize - 1) / 2, bias: groupNorm is null);
        if (groupNorm is null && !useRelu) return conv;
        var parts = new List<nn.Module<Tensor, Tensor>> { conv };
        if (groupNorm is not null) parts.Add(groupNorm.Create(outChannels));
        if (useRelu) parts.Add(nn.ReLU(inplace: true));
        return nn.Sequential(parts.ToArray());
    }

    /// <param name="features">Body outputs, finest first, one per input level.</param>
    /// <returns>P levels finest first, then the top block's.</returns>
    /// <summary>Layers are registered by hand under maskrcnn-benchmark's names; TorchSharp would also register
    /// every module-typed field under the field's name.</summary>
    protected override void RegisterComponents() { }

    public override Tensor[] forward(Tensor[] features)
    {
        if (features.Length != InChannels.Count)
            throw new ArgumentException($"FPN: expected {InChannels.Count} feature maps, got {features.Length}");
        using var scope = torch.NewDisposeScope();
        var used = features[firstLevel..];
        var results = new Tensor[inner.Length];
        var lastInner = inner[^1].call(used[^1]);
        results[^1] = layer[^1].call(lastInner);
        for (int i = inner.Length - 2; i >= 0; i--)
        {
            var lateral = inner[i].call(used[i]);
            using var topDown = nn.functional.interpolate(lastInner, [lateral.size(2), lateral.size(3)], mode: InterpolationMode.Nearest);
            // In place only without autograd: with USE_RELU the lateral is a ReLU output its backward needs.
            lastInner = torch.is_grad_enabled() ? lateral + topDown : lateral.add_(topDown);
            results[i] = layer[i].call(lastInner);
        }
        var extra = top is null ? [] : top.call(used[^1], results[^1]);
        var all = results.Concat(extra).ToArray();
        foreach (var t in all) t.MoveToOuterDisposeScope();
        return all;
    }
}
