using MaskRcnn.Layers;
using MaskRcnn.Structures;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RoiHeads.Box;

/// <summary>Pools RoI features from the feature maps and turns them into one vector per RoI.</summary>
public abstract class BoxFeatureExtractor(string name) : nn.Module<Tensor[], IReadOnlyList<BoxList>, Tensor>(name)
{
    public abstract int OutChannels { get; }

    protected static List<Tensor> BoxesOf(IReadOnlyList<BoxList> rois) => rois.Select(r => r.Boxes).ToList();
}

/// <summary>maskrcnn-benchmark's FPN2MLPFeatureExtractor: multi-scale RoIAlign to 7×7, then fc6 and fc7 with ReLU. Under
/// <c>ROI_BOX_HEAD.USE_GN</c> each fc is its make_fc with GroupNorm: a Linear without bias, then a GroupNorm
/// (<c>fc6.0</c>, <c>fc6.1</c>), as the GN baselines build it.</summary>
public sealed class Fpn2MlpFeatureExtractor : BoxFeatureExtractor
{
    readonly MultiScaleRoIAlign pooler;
    readonly nn.Module<Tensor, Tensor> fc6;
    readonly nn.Module<Tensor, Tensor> fc7;

    /// <param name="groupNorm">a GroupNorm over the given channels after each fc (which then has no bias), or null</param>
    public Fpn2MlpFeatureExtractor(int inChannels, int resolution, IReadOnlyList<double> scales, int samplingRatio, int hiddenDim,
        Func<int, nn.Module<Tensor, Tensor>>? groupNorm = null)
        : base(nameof(Fpn2MlpFeatureExtractor))
    {
        pooler = new MultiScaleRoIAlign(resolution, resolution, samplingRatio, scales);
        fc6 = MakeFc(inChannels * resolution * resolution, hiddenDim, groupNorm);
        fc7 = MakeFc(hiddenDim, hiddenDim, groupNorm);
        OutChannels = hiddenDim;
        PoolerLevels = scales.Count;
        RegisterComponents();
    }

    public override int OutChannels { get; }

    /// <summary>How many of the (finest) feature maps the pooler reads.</summary>
    public int PoolerLevels { get; }

    public override Tensor forward(Tensor[] features, IReadOnlyList<BoxList> rois)
    {
        var pooled = pooler.Forward(features[..PoolerLevels], BoxesOf(rois));
        var x = nn.functional.relu(fc6.forward(pooled.flatten(1)));
        return nn.functional.relu(fc7.forward(x));
    }

    /// <summary>maskrcnn-benchmark's make_fc: kaiming-uniform (a = 1) weights, zero bias; with GroupNorm, no bias and the norm after.</summary>
    internal static nn.Module<Tensor, Tensor> MakeFc(long inFeatures, long outFeatures, Func<int, nn.Module<Tensor, Tensor>>? groupNorm)
    {
        var fc = nn.Linear(inFeatures, outFeatures, hasBias: groupNorm is null);
        nn.init.kaiming_uniform_(fc.weight!, a: 1);
        if (groupNorm is null)
        {
            nn.init.constant_(fc.bias!, 0);
            return fc;
        }
        return nn.Sequential(("0", fc), ("1", groupNorm((int)outFeatures)));
    }
}

/// <summary>maskrcnn-benchmark's ResNet50Conv5ROIFeatureExtractor (C4 models): RoIAlign from the stride-16 map to
/// 14×14, then the res5 stage as a head; the predictor averages the result.</summary>
public sealed class ResNetConv5FeatureExtractor : BoxFeatureExtractor
{
    readonly MultiScaleRoIAlign pooler;
    readonly nn.Module<Tensor, Tensor> head;

    public ResNetConv5FeatureExtractor(nn.Module<Tensor, Tensor> res5Head, int outChannels, int resolution, double scale, int samplingRatio)
        : base(nameof(ResNetConv5FeatureExtractor))
    {
        pooler = new MultiScaleRoIAlign(resolution, resolution, samplingRatio, [scale]);
        head = res5Head;
        OutChannels = outChannels;
        RegisterComponents();
    }

    public override int OutChannels { get; }

    public override Tensor forward(Tensor[] features, IReadOnlyList<BoxList> rois) =>
        head.forward(pooler.Forward(features[..1], BoxesOf(rois)));
}
