using MaskRcnn.Config;

namespace MaskRcnn.Modeling.RoiHeads.Box;

/// <summary>The box heads' predictors by MODEL.ROI_BOX_HEAD.PREDICTOR name: maskrcnn-benchmark's FastRCNNPredictor
/// (the C4 head) average-pools the conv5 features first; its FPNPredictor takes the MLP's vectors.</summary>
public static class BoxPredictors
{
    /// <param name="inChannels">channels of the feature extractor's output</param>
    public delegate BoxPredictor Builder(MaskRcnnConfig cfg, int inChannels);

    public static readonly Registry<Builder> Registry = new("MODEL.ROI_BOX_HEAD.PREDICTOR",
        ("FastRCNNPredictor", (cfg, inChannels) => new BoxPredictor(inChannels, cfg.Model.NumClasses, cfg.Model.ClsAgnosticBboxReg, averagePoolFirst: true)),
        ("FPNPredictor", (cfg, inChannels) => new BoxPredictor(inChannels, cfg.Model.NumClasses, cfg.Model.ClsAgnosticBboxReg, averagePoolFirst: false)));
}
