using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RoiHeads.Mask;

/// <summary>maskrcnn-benchmark's MaskRCNNC4Predictor: a 2×2 stride-2 transposed conv with ReLU doubles the
/// resolution, then a 1×1 conv gives one mask logit map per class.</summary>
public sealed class MaskPredictor : nn.Module<Tensor, Tensor>
{
    readonly ConvTranspose2d conv5_mask;
    readonly Conv2d mask_fcn_logits;

    public MaskPredictor(int inChannels, int hiddenChannels, int numClasses) : base(nameof(MaskPredictor))
    {
        conv5_mask = nn.ConvTranspose2d(inChannels, hiddenChannels, 2, stride: 2);
        mask_fcn_logits = nn.Conv2d(hiddenChannels, numClasses, 1);
        foreach (var w in new[] { conv5_mask.weight!, mask_fcn_logits.weight! })
            nn.init.kaiming_normal_(w, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
        nn.init.constant_(conv5_mask.bias!, 0);
        nn.init.constant_(mask_fcn_logits.bias!, 0);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => mask_fcn_logits.forward(nn.functional.relu(conv5_mask.forward(x)));
}
