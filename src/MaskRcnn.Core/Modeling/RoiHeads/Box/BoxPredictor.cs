using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RoiHeads.Box;

/// <summary>Class scores and per-class box deltas from RoI features (maskrcnn-benchmark's FPNPredictor; with
/// <c>averagePoolFirst</c>, its FastRCNNPredictor for C4 heads). Class-agnostic regression predicts two boxes
/// (background, object) as maskrcnn-benchmark does.</summary>
public sealed class BoxPredictor : nn.Module<Tensor, (Tensor Logits, Tensor Deltas)>
{
    readonly Linear cls_score;
    readonly Linear bbox_pred;
    readonly bool averagePoolFirst;

    public BoxPredictor(int inChannels, int numClasses, bool classAgnostic, bool averagePoolFirst) : base(nameof(BoxPredictor))
    {
        this.averagePoolFirst = averagePoolFirst;
        cls_score = nn.Linear(inChannels, numClasses);
        bbox_pred = nn.Linear(inChannels, (classAgnostic ? 2 : numClasses) * 4);
        nn.init.normal_(cls_score.weight!, std: 0.01);
        nn.init.normal_(bbox_pred.weight!, std: 0.001);
        nn.init.constant_(cls_score.bias!, 0);
        nn.init.constant_(bbox_pred.bias!, 0);
        RegisterComponents();
    }

    public override (Tensor Logits, Tensor Deltas) forward(Tensor x)
    {
        if (averagePoolFirst) x = x.mean([2, 3]);
        else if (x.dim() > 2) x = x.flatten(1);
        return (cls_score.forward(x), bbox_pred.forward(x));
    }
}
