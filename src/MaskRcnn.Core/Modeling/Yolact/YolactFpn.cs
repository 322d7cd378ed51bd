using MaskRcnn.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Yolact;

/// <summary>
/// YOLACT's FPN on C3–C5: 1×1 laterals (<c>fpn_inner1..3</c>), top-down sums with <b>bilinear</b> upsampling to each
/// lateral's size, 3×3 output convolutions followed by ReLU (<c>fpn_layer1..3</c>), then P6 and P7 by stride-2 3×3
/// convolutions, P6 from the (ReLU'd) P5 output and P7 from P6, without ReLU (<c>top_blocks.p6/p7</c>). Unlike
/// maskrcnn-benchmark's FPN (nearest upsampling, no ReLU; RetinaNet's P7 from ReLU(P6)).
/// </summary>
public sealed class YolactFpn : nn.Module<Tensor[], Tensor[]>
{
    readonly nn.Module<Tensor, Tensor>[] inner, layer;
    readonly nn.Module<Tensor, Tensor> p6, p7;

    public YolactFpn(IReadOnlyList<int> inChannels, int channels, GroupNormFactory? groupNorm) : base(nameof(YolactFpn))
    {
        if (inChannels.Count != 3) throw new ArgumentException($"YOLACT's FPN takes C3, C4, C5; got {inChannels.Count} maps");
        inner = new nn.Module<Tensor, Tensor>[3];
        layer = new nn.Module<Tensor, Tensor>[3];
        for (int i = 0; i < 3; i++)
        {
            inner[i] = YolactConv.Create(inChannels[i], channels, 1, groupNorm: groupNorm);
            layer[i] = YolactConv.Create(channels, channels, 3, groupNorm: groupNorm);
            register_module($"fpn_inner{i + 1}", inner[i]);
            register_module($"fpn_layer{i + 1}", layer[i]);
        }
        p6 = YolactConv.Create(channels, channels, 3, stride: 2, groupNorm: groupNorm);
        p7 = YolactConv.Create(channels, channels, 3, stride: 2, groupNorm: groupNorm);
        register_module("top_blocks", nn.ModuleDict<nn.Module<Tensor, Tensor>>(("p6", p6), ("p7", p7)));
        Channels = channels;
    }

    public int Channels { get; }

    protected override void RegisterComponents() { }

    /// <param name="features">C3, C4, C5.</param>
    /// <returns>P3..P7.</returns>
    public override Tensor[] forward(Tensor[] features)
    {
        if (features.Length != 3) throw new ArgumentException($"YOLACT's FPN takes C3, C4, C5; got {features.Length} maps");
        using var scope = torch.NewDisposeScope();
        var sums = new Tensor[3];
        sums[2] = inner[2].call(features[2]);
        for (int i = 1; i >= 0; i--)
        {
            var lateral = inner[i].call(features[i]);
            var topDown = nn.functional.interpolate(sums[i + 1], [lateral.size(2), lateral.size(3)], mode: InterpolationMode.Bilinear, align_corners: false);
            sums[i] = topDown + lateral;
        }
        var outputs = new Tensor[5];
        for (int i = 0; i < 3; i++) outputs[i] = nn.functional.relu(layer[i].call(sums[i]));
        outputs[3] = p6.call(outputs[2]);
        outputs[4] = p7.call(outputs[3]);
        foreach (var o in outputs) o.MoveToOuterDisposeScope();
        return outputs;
    }
}
