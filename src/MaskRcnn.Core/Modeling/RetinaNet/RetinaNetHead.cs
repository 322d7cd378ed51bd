using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RetinaNet;

/// <summary>
/// maskrcnn-benchmark's RetinaNetHead, shared by all levels: a class tower and a box tower of <c>NUM_CONVS</c>
/// 3×3 convolutions each followed by ReLU (<c>cls_tower.0</c>, <c>.2</c>, …), then 3×3 convolutions to A·K class
/// logits (K = classes without background) and A·4 box deltas per location. Weights ~ N(0, 0.01²), biases 0, except
/// the class logits' bias −log((1 − π)/π) so that every anchor starts at foreground probability π (PRIOR_PROB).
/// </summary>
public sealed class RetinaNetHead : nn.Module<Tensor[], (Tensor[] Logits, Tensor[] Deltas)>
{
    readonly Sequential cls_tower, bbox_tower;
    readonly Conv2d cls_logits, bbox_pred;

    public RetinaNetHead(int channels, int anchorsPerLocation, int foregroundClasses, int numConvs, double priorProbability)
        : base(nameof(RetinaNetHead))
    {
        if (priorProbability is <= 0 or >= 1)
            throw new Config.ConfigException($"MODEL.RETINANET.PRIOR_PROB must be in (0, 1), got {priorProbability}");
        cls_tower = Tower(channels, numConvs);
        bbox_tower = Tower(channels, numConvs);
        cls_logits = Conv(channels, anchorsPerLocation * foregroundClasses);
        bbox_pred = Conv(channels, anchorsPerLocation * 4);
        nn.init.constant_(cls_logits.bias!, -Math.Log((1 - priorProbability) / priorProbability));
        ForegroundClasses = foregroundClasses;
        AnchorsPerLocation = anchorsPerLocation;
        RegisterComponents();
    }

    public int ForegroundClasses { get; }
    public int AnchorsPerLocation { get; }

    static Conv2d Conv(int inChannels, int outChannels)
    {
        var conv = nn.Conv2d(inChannels, outChannels, 3, padding: 1);
        nn.init.normal_(conv.weight!, std: 0.01);
        nn.init.constant_(conv.bias!, 0);
        return conv;
    }

    static Sequential Tower(int channels, int numConvs)
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        for (int i = 0; i < numConvs; i++)
        {
            layers.Add(Conv(channels, channels));
            layers.Add(nn.ReLU());
        }
        return nn.Sequential(layers.ToArray());
    }

    /// <returns>per level, logits [N, A·K, H, W] and deltas [N, A·4, H, W]</returns>
    public override (Tensor[] Logits, Tensor[] Deltas) forward(Tensor[] features)
    {
        var logits = new Tensor[features.Length];
        var deltas = new Tensor[features.Length];
        for (int i = 0; i < features.Length; i++)
        {
            using (var c = cls_tower.call(features[i])) logits[i] = cls_logits.call(c);
            using (var b = bbox_tower.call(features[i])) deltas[i] = bbox_pred.call(b);
        }
        return (logits, deltas);
    }
}
