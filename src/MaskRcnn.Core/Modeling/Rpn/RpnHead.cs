using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Rpn;

/// <summary>maskrcnn-benchmark's single-conv RPN head, shared by all levels: a 3×3 conv with ReLU, then 1×1 convs
/// for A objectness logits and 4A box deltas per location. Weights ~ N(0, 0.01²), biases 0.</summary>
public sealed class RpnHead : nn.Module<Tensor[], (Tensor[] Objectness, Tensor[] Deltas)>
{
    readonly Conv2d conv;
    readonly Conv2d cls_logits;
    readonly Conv2d bbox_pred;

    public RpnHead(int channels, int anchorsPerLocation) : base(nameof(RpnHead))
    {
        conv = nn.Conv2d(channels, channels, 3, padding: 1);
        cls_logits = nn.Conv2d(channels, anchorsPerLocation, 1);
        bbox_pred = nn.Conv2d(channels, 4 * anchorsPerLocation, 1);
        foreach (var layer in new[] { conv, cls_logits, bbox_pred })
        {
            nn.init.normal_(layer.weight!, std: 0.01);
            nn.init.constant_(layer.bias!, 0);
        }
        RegisterComponents();
    }

    public override (Tensor[] Objectness, Tensor[] Deltas) forward(Tensor[] features)
    {
        var objectness = new Tensor[features.Length];
        var deltas = new Tensor[features.Length];
        for (int i = 0; i < features.Length; i++)
        {
            var t = nn.functional.relu(conv.forward(features[i]));
            objectness[i] = cls_logits.forward(t);
            deltas[i] = bbox_pred.forward(t);
        }
        return (objectness, deltas);
    }

    /// <summary>[N, A·C, H, W] → [N, H·W·A, C]: location-major, matching the anchor order.</summary>
    public static Tensor Flatten(Tensor perLevel, int channelsPerAnchor)
    {
        long n = perLevel.shape[0], h = perLevel.shape[2], w = perLevel.shape[3];
        long a = perLevel.shape[1] / channelsPerAnchor;
        return perLevel.view(n, a, channelsPerAnchor, h, w).permute(0, 3, 4, 1, 2).reshape(n, -1, channelsPerAnchor);
    }
}
