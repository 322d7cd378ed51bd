using MaskRcnn.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RoiHeads.Keypoint;

/// <summary>maskrcnn-benchmark's KeypointRCNNFeatureExtractor: multi-scale RoIAlign to <c>POOLER_RESOLUTION</c>
/// (14×14), then 3×3 convs with ReLU (<c>CONV_LAYERS</c>, eight of 512 channels by default), named conv_fcn1…</summary>
public sealed class KeypointFeatureExtractor : nn.Module<Tensor[], IReadOnlyList<Tensor>, Tensor>
{
    readonly MultiScaleRoIAlign pooler;
    readonly List<nn.Module<Tensor, Tensor>> convs = [];
    readonly int levels;

    public KeypointFeatureExtractor(int inChannels, int resolution, IReadOnlyList<double> scales, int samplingRatio, IReadOnlyList<int> convLayers)
        : base(nameof(KeypointFeatureExtractor))
    {
        if (convLayers.Count == 0) throw new ArgumentException("MODEL.ROI_KEYPOINT_HEAD.CONV_LAYERS is empty; the keypoint head needs at least one conv");
        pooler = new MultiScaleRoIAlign(resolution, resolution, samplingRatio, scales);
        levels = scales.Count;
        int channels = inChannels;
        for (int i = 0; i < convLayers.Count; i++)
        {
            var conv = nn.Conv2d(channels, convLayers[i], 3, padding: 1);
            nn.init.kaiming_normal_(conv.weight!, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
            nn.init.constant_(conv.bias!, 0);
            register_module($"conv_fcn{i + 1}", conv);
            convs.Add(conv);
            channels = convLayers[i];
        }
        OutChannels = channels;
    }

    /// <summary>Children are registered by hand under maskrcnn-benchmark's names; TorchSharp would also register
    /// every module-typed field under its C# name.</summary>
    protected override void RegisterComponents() { }

    public int OutChannels { get; }

    /// <summary>The convs alone, on pooled RoI features [N, C, R, R].</summary>
    public Tensor Convs(Tensor pooled)
    {
        var x = pooled;
        foreach (var conv in convs) x = nn.functional.relu(conv.forward(x));
        return x;
    }

    public override Tensor forward(Tensor[] features, IReadOnlyList<Tensor> boxes) => Convs(pooler.Forward(features[..levels], boxes));
}
