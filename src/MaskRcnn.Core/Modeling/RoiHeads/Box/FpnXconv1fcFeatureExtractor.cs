using MaskRcnn.Layers;
using MaskRcnn.Structures;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RoiHeads.Box;

/// <summary>
/// maskrcnn-benchmark's FPNXconv1fcFeatureExtractor: multi-scale RoIAlign, then stacked 3×3 convs (each with an optional
/// GroupNorm, then ReLU) and one fc (fc6) with ReLU. The convs, norms and ReLUs sit in one Sequential, <c>xconvs</c>,
/// in the reference's order, so its parameter names (<c>xconvs.0.weight</c>, GroupNorm at <c>xconvs.1</c>, the next
/// conv at <c>xconvs.3</c>) are ours and its checkpoints load.
/// </summary>
public sealed class FpnXconv1fcFeatureExtractor : BoxFeatureExtractor
{
    readonly MultiScaleRoIAlign pooler;
    readonly Sequential xconvs;
    readonly nn.Module<Tensor, Tensor> fc6;

    /// <param name="groupNorm">a GroupNorm over the given channels after each conv (the convs then have no bias), or null</param>
    public FpnXconv1fcFeatureExtractor(int inChannels, int resolution, IReadOnlyList<double> scales, int samplingRatio,
        int convHeadDim, int numStackedConvs, int dilation, int hiddenDim, Func<int, nn.Module<Tensor, Tensor>>? groupNorm)
        : base(nameof(FpnXconv1fcFeatureExtractor))
    {
        if (numStackedConvs < 0) throw new ArgumentException($"FpnXconv1fcFeatureExtractor: numStackedConvs must be 0 or more, got {numStackedConvs}");
        if (dilation < 1) throw new ArgumentException($"FpnXconv1fcFeatureExtractor: dilation must be 1 or more, got {dilation}");
        pooler = new MultiScaleRoIAlign(resolution, resolution, samplingRatio, scales);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int channels = inChannels;
        for (int i = 0; i < numStackedConvs; i++)
        {
            var conv = nn.Conv2d(channels, convHeadDim, 3, stride: 1, padding: dilation, dilation: dilation, bias: groupNorm is null);
            // The reference's init for these convs: normal with std 0.01, not make_conv3x3's kaiming.
            nn.init.normal_(conv.weight!, std: 0.01);
            if (conv.bias is not null) nn.init.constant_(conv.bias, 0);
            layers.Add(($"{layers.Count}", conv));
            if (groupNorm is not null) layers.Add(($"{layers.Count}", groupNorm(convHeadDim)));
            layers.Add(($"{layers.Count}", nn.ReLU()));
            channels = convHeadDim;
        }
        xconvs = nn.Sequential(layers);
        // make_fc without GroupNorm, as the reference builds fc6 here whatever USE_GN says. Its input is the last
        // conv's output (the reference writes CONV_HEAD_DIM, the same whenever it runs: with no convs it needs
        // inChannels = CONV_HEAD_DIM).
        fc6 = Fpn2MlpFeatureExtractor.MakeFc(channels * resolution * resolution, hiddenDim, groupNorm: null);
        OutChannels = hiddenDim;
        PoolerLevels = scales.Count;
        RegisterComponents();
    }

    public override int OutChannels { get; }

    /// <summary>How many of the (finest) feature maps the pooler reads.</summary>
    public int PoolerLevels { get; }

    public override Tensor forward(Tensor[] features, IReadOnlyList<BoxList> rois)
    {
        var x = xconvs.forward(pooler.Forward(features[..PoolerLevels], BoxesOf(rois)));
        return nn.functional.relu(fc6.forward(x.flatten(1)));
    }
}
