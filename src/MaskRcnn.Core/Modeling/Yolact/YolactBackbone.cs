using MaskRcnn.Modeling.Backbone;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Yolact;

/// <summary>YOLACT's backbone: a ResNet body giving C3–C5 (<c>body.*</c>, our usual ResNet names) and YOLACT's FPN
/// (<c>fpn.*</c>) making P3–P7.</summary>
public sealed class YolactBackbone : nn.Module<Tensor, Tensor[]>
{
    readonly BackboneBody body;
    readonly YolactFpn fpn;

    public YolactBackbone(BackboneBody body, YolactFpn fpn) : base(nameof(YolactBackbone))
    {
        if (body.OutChannels.Count != 3) throw new ArgumentException($"YOLACT needs a body giving C3, C4, C5; it gives {body.OutChannels.Count} maps");
        this.body = body;
        this.fpn = fpn;
        register_module("body", body);
        register_module("fpn", fpn);
    }

    public BackboneBody Body => body;
    public int OutChannels => fpn.Channels;

    protected override void RegisterComponents() { }

    public override Tensor[] forward(Tensor images)
    {
        if (images.dim() != 4 || images.size(1) != 3)
            throw new ArgumentException($"backbone: expected images [N, 3, H, W], got [{string.Join(", ", images.shape)}]");
        var c = body.call(images);
        try
        {
            return fpn.call(c);
        }
        finally
        {
            foreach (var t in c) t.Dispose();
        }
    }
}
