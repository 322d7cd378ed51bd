using MaskRcnn.Config;

namespace MaskRcnn.Modeling.RoiHeads.Mask;

/// <summary>The mask heads' predictors by MODEL.ROI_MASK_HEAD.PREDICTOR name.</summary>
public static class MaskPredictors
{
    /// <param name="inChannels">channels of the mask (or shared box) feature extractor's output</param>
    public delegate MaskPredictor Builder(MaskRcnnConfig cfg, int inChannels);

    public static readonly Registry<Builder> Registry = new("MODEL.ROI_MASK_HEAD.PREDICTOR",
        ("MaskRCNNC4Predictor", (cfg, inChannels) => new MaskPredictor(inChannels, cfg.Model.RoiMaskHead.ConvLayers[^1], cfg.Model.NumClasses)));
}
