using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Yolact;

/// <summary>
/// What YOLACT's network predicts for a batch of N images, before any loss or post-processing (the reference's
/// <c>pred_outs</c>), for A anchors over all levels in the order of <see cref="Priors"/>:
/// <list type="bullet">
/// <item><see cref="Loc"/> [N,A,4]: box deltas (dx, dy, dw, dh) against the anchors, variances 0.1/0.2 not applied.</item>
/// <item><see cref="Conf"/> [N,A,C]: class logits, background first.</item>
/// <item><see cref="Coeffs"/> [N,A,k]: mask coefficients, tanh applied.</item>
/// <item><see cref="Priors"/> [A,4]: anchors as (cx, cy, w, h) relative to the (padded) network input's width and height.</item>
/// <item><see cref="Prototypes"/> [N,ph,pw,k]: prototype masks (ReLU applied), channels last, covering the padded input.</item>
/// <item><see cref="Semantic"/> [N,C−1,h3,w3]: semantic segmentation logits from P3 (training only; null otherwise or when off).</item>
/// </list>
/// </summary>
public sealed record YolactPredictions(Tensor Loc, Tensor Conf, Tensor Coeffs, Tensor Priors, Tensor Prototypes, Tensor? Semantic);
