using MaskRcnn.Config;

namespace MaskRcnn.Modeling.RetinaNet;

/// <summary>The RetinaNet settings read from <c>MODEL.RETINANET</c> (and <c>TEST.DETECTIONS_PER_IMG</c>), in one place.</summary>
/// <param name="NumClasses">classes with background (<c>NUM_CLASSES</c>); the head predicts NumClasses − 1 sigmoids</param>
/// <param name="BoxLossNormalizer">maskrcnn-benchmark's <c>BBOX_REG_WEIGHT</c>: the box loss divides by positives × this</param>
/// <param name="PerImageNormalization">torchvision's normalisation (<c>LOSS_NORMALIZATION torchvision</c>): each image's
/// sums by its own positives, then the mean over images</param>
public sealed record RetinaNetOptions(
    int NumClasses, int NumConvs, double PriorProbability,
    double FgIouThreshold, double BgIouThreshold, double FocalAlpha, double FocalGamma,
    double BoxLossBeta, double BoxLossNormalizer, IReadOnlyList<double> BoxCoderWeights,
    double ScoreThreshold, int PreNmsTopN, double NmsThreshold, int DetectionsPerImage, bool PerImageNormalization = false)
{
    public static RetinaNetOptions From(MaskRcnnConfig cfg)
    {
        var r = cfg.Model.RetinaNet;
        if (r.BboxRegWeights.Length != 4)
            throw new ConfigException($"MODEL.RETINANET.BBOX_REG_WEIGHTS needs 4 values (x, y, w, h), got {r.BboxRegWeights.Length}");
        return new RetinaNetOptions(r.NumClasses, r.NumConvs, r.PriorProb, r.FgIouThreshold, r.BgIouThreshold, r.LossAlpha, r.LossGamma,
            r.BboxRegBeta, r.BboxRegWeight, r.BboxRegWeights, r.InferenceTh, r.PreNmsTopN, r.NmsTh, cfg.Test.DetectionsPerImg,
            r.LossNormalization == "torchvision");
    }
}
