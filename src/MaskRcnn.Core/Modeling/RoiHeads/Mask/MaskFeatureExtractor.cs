using MaskRcnn.Layers;
using MaskRcnn.Structures;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RoiHeads.Mask;

/// <summary>maskrcnn-benchmark's MaskRCNNFPNFeatureExtractor: multi-scale RoIAlign to 14×14, then 3×3 convs with
/// ReLU (<c>CONV_LAYERS</c>, named mask_fcn1…), each optionally with GroupNorm.</summary>
public sealed class MaskFeatureExtractor : nn.Module<Tensor[], IReadOnlyList<Tensor>, Tensor>
{
    readonly MultiScaleRoIAlign pooler;
    readonly List<nn.Module<Tensor, Tensor>> convs = [];
    readonly int levels;

    public MaskFeatureExtractor(int inChannels, int resolution, IReadOnlyList<double> scales, int samplingRatio, IReadOnlyList<int> convLayers,
        int dilation, Func<int, nn.Module<Tensor, Tensor>>? groupNorm) : base(nameof(MaskFeatureExtractor))
    {
        pooler = new MultiScaleRoIAlign(resolution, resolution, samplingRatio, scales);
        levels = scales.Count;
        int channels = inChannels;
        for (int i = 0; i < convLayers.Count; i++)
        {
            var conv = nn.Conv2d(channels, convLayers[i], 3, padding: dilation, dilation: dilation, bias: groupNorm is null);
            nn.init.kaiming_normal_(conv.weight!, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
            if (conv.bias is not null) nn.init.constant_(conv.bias, 0);
            nn.Module<Tensor, Tensor> layer = groupNorm is null ? conv : nn.Sequential(("0", conv), ("1", groupNorm(convLayers[i])));
            register_module($"mask_fcn{i + 1}", layer);
            convs.Add(layer);
            channels = convLayers[i];
        }
        OutChannels = channels;
    }

    /// <summary>Children are registered by hand under maskrcnn-benchmark's names; TorchSharp would also register
    /// every module-typed field or property under its C# name.</summary>
    protected override void RegisterComponents() { }

    public int OutChannels { get; }

    public override Tensor forward(Tensor[] features, IReadOnlyList<Tensor> boxes)
    {
        var x = pooler.Forward(features[..levels], boxes);
        foreach (var conv in convs) x = nn.functional.relu(conv.forward(x));
        return x;
    }
}
