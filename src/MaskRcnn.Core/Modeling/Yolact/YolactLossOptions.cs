using MaskRcnn.Config;

namespace MaskRcnn.Modeling.Yolact;

/// <summary>YOLACT's matching and loss numbers, read once from <c>MODEL.YOLACT</c>.</summary>
public sealed record YolactLossOptions(
    double PositiveIouThreshold, double NegativeIouThreshold, double CrowdIouThreshold, int NegPosRatio, int MasksToTrain,
    double BoxLossWeight, double ClassLossWeight, double MaskLossWeight, double SemanticLossWeight)
{
    public static YolactLossOptions From(YolactConfig c) => new(
        c.PositiveIouThreshold, c.NegativeIouThreshold, c.CrowdIouThreshold, c.NegPosRatio, c.MasksToTrain,
        c.BoxLossWeight, c.ClassLossWeight, c.MaskLossWeight, c.SemanticLossWeight);
}
