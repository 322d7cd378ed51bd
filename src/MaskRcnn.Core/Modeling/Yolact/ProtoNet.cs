using MaskRcnn.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Yolact;

/// <summary>
/// YOLACT's ProtoNet on P3: three 3×3 conv+ReLU, bilinear ×2 upsampling, a 3×3 conv+ReLU, a 1×1 conv to k
/// prototypes and a ReLU (138×138×32 for a 550×550 input). Returns [N,k,2h,2w].
/// </summary>
public sealed class ProtoNet : nn.Module<Tensor, Tensor>
{
    readonly nn.Module<Tensor, Tensor> conv1, conv2, conv3, conv4, prototypes;

    public ProtoNet(int inChannels, int channels, int prototypeCount, GroupNormFactory? groupNorm) : base(nameof(ProtoNet))
    {
        conv1 = YolactConv.Create(inChannels, channels, 3, groupNorm: groupNorm);
        conv2 = YolactConv.Create(channels, channels, 3, groupNorm: groupNorm);
        conv3 = YolactConv.Create(channels, channels, 3, groupNorm: groupNorm);
        conv4 = YolactConv.Create(channels, channels, 3, groupNorm: groupNorm);
        prototypes = YolactConv.Create(channels, prototypeCount, 1);
        register_module("conv1", conv1);
        register_module("conv2", conv2);
        register_module("conv3", conv3);
        register_module("conv4", conv4);
        register_module("prototypes", prototypes);
        PrototypeCount = prototypeCount;
    }

    public int PrototypeCount { get; }

    protected override void RegisterComponents() { }

    public override Tensor forward(Tensor p3)
    {
        using var scope = torch.NewDisposeScope();
        var x = nn.functional.relu(conv1.call(p3));
        x = nn.functional.relu(conv2.call(x));
        x = nn.functional.relu(conv3.call(x));
        x = nn.functional.interpolate(x, [x.size(2) * 2, x.size(3) * 2], mode: InterpolationMode.Bilinear, align_corners: false);
        x = nn.functional.relu(conv4.call(x));
        return nn.functional.relu(prototypes.call(x)).MoveToOuterDisposeScope();
    }
}
