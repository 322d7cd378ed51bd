using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RoiHeads.Keypoint;

/// <summary>maskrcnn-benchmark's KeypointRCNNPredictor: a 4×4 stride-2 transposed conv (padding 1) to one logit map per
/// keypoint (<c>kps_score_lowres</c>, 14×14 → 28×28), then bilinear upsampling ×2 (align_corners false) to the 56×56
/// heatmaps. No ReLU in between.</summary>
public sealed class KeypointPredictor : nn.Module<Tensor, Tensor>
{
    readonly ConvTranspose2d kps_score_lowres;

    public KeypointPredictor(int inChannels, int numKeypoints) : base(nameof(KeypointPredictor))
    {
        Keypoints = numKeypoints;
        kps_score_lowres = nn.ConvTranspose2d(inChannels, numKeypoints, 4, stride: 2, padding: 1);
        nn.init.kaiming_normal_(kps_score_lowres.weight!, mode: nn.init.FanInOut.FanOut, nonlinearity: nn.init.NonlinearityType.ReLU);
        nn.init.constant_(kps_score_lowres.bias!, 0);
        RegisterComponents();
    }

    public int Keypoints { get; }

    public override Tensor forward(Tensor x) =>
        nn.functional.interpolate(kps_score_lowres.forward(x), scale_factor: [2.0, 2.0], mode: InterpolationMode.Bilinear, align_corners: false);
}
