using MaskRcnn.Config;

namespace MaskRcnn.Modeling.RoiHeads.Keypoint;

/// <summary>The keypoint heads' own feature extractors and predictors by MODEL.ROI_KEYPOINT_HEAD.FEATURE_EXTRACTOR and
/// PREDICTOR name (a C4 keypoint head that shares the box head's conv5 has no extractor and never looks here).</summary>
public static class KeypointHeadParts
{
    /// <param name="inChannels">channels of the backbone's feature maps</param>
    public delegate KeypointFeatureExtractor ExtractorBuilder(MaskRcnnConfig cfg, int inChannels);

    /// <param name="inChannels">channels of the keypoint (or shared box) feature extractor's output</param>
    public delegate KeypointPredictor PredictorBuilder(MaskRcnnConfig cfg, int inChannels);

    public static readonly Registry<ExtractorBuilder> Extractors = new("MODEL.ROI_KEYPOINT_HEAD.FEATURE_EXTRACTOR",
        ("KeypointRCNNFeatureExtractor", (cfg, inChannels) =>
        {
            var k = cfg.Model.RoiKeypointHead;
            return new KeypointFeatureExtractor(inChannels, k.PoolerResolution, k.PoolerScales, k.PoolerSamplingRatio, k.ConvLayers);
        }));

    public static readonly Registry<PredictorBuilder> Predictors = new("MODEL.ROI_KEYPOINT_HEAD.PREDICTOR",
        ("KeypointRCNNPredictor", (cfg, inChannels) => new KeypointPredictor(inChannels, cfg.Model.RoiKeypointHead.NumClasses)));
}
