using MaskRcnn.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Yolact;

/// <summary>
/// YOLACT's prediction head, one set of weights shared by every level: a 3×3 conv+ReLU ("upfeature"), then 3×3
/// convolutions for box deltas (4a), class logits (Ca) and mask coefficients (ka, tanh), a anchors per cell.
/// Outputs are flattened cell by cell (row-major), anchor by anchor within a cell, as the anchors are.
/// </summary>
public sealed class YolactHead : nn.Module<Tensor, (Tensor Loc, Tensor Conf, Tensor Coeffs)>
{
    readonly nn.Module<Tensor, Tensor> upfeature, bboxPred, clsLogits, coeffPred;
    readonly int numClasses, prototypeCount;

    public YolactHead(int inChannels, int channels, int anchorsPerCell, int numClasses, int prototypeCount, GroupNormFactory? groupNorm)
        : base(nameof(YolactHead))
    {
        upfeature = YolactConv.Create(inChannels, channels, 3, groupNorm: groupNorm);
        bboxPred = YolactConv.Create(channels, anchorsPerCell * 4, 3);
        clsLogits = YolactConv.Create(channels, anchorsPerCell * numClasses, 3);
        coeffPred = YolactConv.Create(channels, anchorsPerCell * prototypeCount, 3);
        register_module("upfeature", upfeature);
        register_module("bbox_pred", bboxPred);
        register_module("cls_logits", clsLogits);
        register_module("coeff_pred", coeffPred);
        (this.numClasses, this.prototypeCount) = (numClasses, prototypeCount);
    }

    protected override void RegisterComponents() { }

    /// <returns>[N,HWa,4], [N,HWa,C], [N,HWa,k].</returns>
    public override (Tensor Loc, Tensor Conf, Tensor Coeffs) forward(Tensor feature)
    {
        using var scope = torch.NewDisposeScope();
        var x = nn.functional.relu(upfeature.call(feature));
        long n = x.size(0);
        var loc = bboxPred.call(x).permute(0, 2, 3, 1).reshape(n, -1, 4);
        var conf = clsLogits.call(x).permute(0, 2, 3, 1).reshape(n, -1, numClasses);
        var coeffs = torch.tanh(coeffPred.call(x).permute(0, 2, 3, 1).reshape(n, -1, prototypeCount));
        return (loc.MoveToOuterDisposeScope(), conf.MoveToOuterDisposeScope(), coeffs.MoveToOuterDisposeScope());
    }
}
