using MaskRcnn.Config;

namespace MaskRcnn.Modeling.Rpn;

/// <summary>The RPN's numbers, read once from <c>MODEL.RPN</c>.</summary>
public sealed record RpnOptions(
    double FgIouThreshold, double BgIouThreshold, int BatchSizePerImage, double PositiveFraction,
    int PreNmsTopNTrain, int PreNmsTopNTest, int PostNmsTopNTrain, int PostNmsTopNTest,
    int FpnPostNmsTopNTrain, int FpnPostNmsTopNTest, bool FpnPostNmsPerBatch, double NmsThreshold, double MinSize)
{
    public static RpnOptions From(RpnConfig c) => new(c.FgIouThreshold, c.BgIouThreshold, c.BatchSizePerImage, c.PositiveFraction,
        c.PreNmsTopNTrain, c.PreNmsTopNTest, c.PostNmsTopNTrain, c.PostNmsTopNTest, c.FpnPostNmsTopNTrain, c.FpnPostNmsTopNTest,
        c.FpnPostNmsPerBatch, c.NmsThresh, c.MinSize);
}
