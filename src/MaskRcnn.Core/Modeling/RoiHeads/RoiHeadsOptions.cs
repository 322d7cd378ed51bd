using MaskRcnn.Config;

namespace MaskRcnn.Modeling.RoiHeads;

/// <summary>The RoI heads' numbers, read once from <c>MODEL.ROI_HEADS</c> and <c>MODEL.ROI_BOX_HEAD</c>.</summary>
public sealed record RoiHeadsOptions(
    double FgIouThreshold, double BgIouThreshold, int BatchSizePerImage, double PositiveFraction, double[] BoxRegWeights,
    double ScoreThreshold, double NmsThreshold, int DetectionsPerImage, double MinBoxSize, bool ClassAgnosticBoxes,
    double SmoothL1Beta, int NumClasses)
{
    public static RoiHeadsOptions From(MaskRcnnConfig cfg) => new(
        cfg.Model.RoiHeads.FgIouThreshold, cfg.Model.RoiHeads.BgIouThreshold, cfg.Model.RoiHeads.BatchSizePerImage,
        cfg.Model.RoiHeads.PositiveFraction, cfg.Model.RoiHeads.BboxRegWeights, cfg.Model.RoiHeads.ScoreThresh, cfg.Model.RoiHeads.Nms,
        cfg.Model.RoiHeads.DetectionsPerImg, cfg.Model.RoiHeads.MinSize, cfg.Model.ClsAgnosticBboxReg, cfg.Model.RoiBoxHead.SmoothL1Beta,
        cfg.Model.NumClasses);
}
