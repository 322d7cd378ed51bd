namespace MaskRcnn.Config;

/// <summary>MODEL.ROI_HEADS: proposal matching and sampling, and detection post-processing.</summary>
public sealed class RoiHeadsConfig : ConfigSection
{
    [Key("USE_FPN")] public bool UseFpn { get; set; } = false;
    [Key("FG_IOU_THRESHOLD")] public double FgIouThreshold { get; set; } = 0.5;
    [Key("BG_IOU_THRESHOLD")] public double BgIouThreshold { get; set; } = 0.5;
    [Key("BBOX_REG_WEIGHTS")] public double[] BboxRegWeights { get; set; } = [10.0, 10.0, 5.0, 5.0];
    [Key("BATCH_SIZE_PER_IMAGE")] public int BatchSizePerImage { get; set; } = 512;
    [Key("POSITIVE_FRACTION")] public double PositiveFraction { get; set; } = 0.25;
    [Key("SCORE_THRESH")] public double ScoreThresh { get; set; } = 0.05;
    [Key("NMS")] public double Nms { get; set; } = 0.5;
    [Key("DETECTIONS_PER_IMG")] public int DetectionsPerImg { get; set; } = 100;
    // Beyond maskrcnn-benchmark: detections smaller than this (pixels) are dropped before NMS; torchvision uses 1e-2.
    [Key("MIN_SIZE")] public double MinSize { get; set; } = 0;
}

/// <summary>MODEL.ROI_BOX_HEAD: pooler, feature extractor and predictor of the box head.</summary>
public sealed class RoiBoxHeadConfig : ConfigSection
{
    [Key("FEATURE_EXTRACTOR")] public string FeatureExtractor { get; set; } = "ResNet50Conv5ROIFeatureExtractor";
    [Key("PREDICTOR")] public string Predictor { get; set; } = "FastRCNNPredictor";
    [Key("POOLER_RESOLUTION")] public int PoolerResolution { get; set; } = 14;
    [Key("POOLER_SAMPLING_RATIO")] public int PoolerSamplingRatio { get; set; } = 0;
    [Key("POOLER_SCALES")] public double[] PoolerScales { get; set; } = [1.0 / 16];
    [Key("NUM_CLASSES")] public int NumClasses { get; set; } = 81;
    [Key("MLP_HEAD_DIM")] public int MlpHeadDim { get; set; } = 1024;
    [Key("USE_GN")] public bool UseGn { get; set; } = false;
    [Key("DILATION")] public int Dilation { get; set; } = 1;
    [Key("CONV_HEAD_DIM")] public int ConvHeadDim { get; set; } = 256;
    [Key("NUM_STACKED_CONVS")] public int NumStackedConvs { get; set; } = 4;
    // Beyond maskrcnn-benchmark (which fixes it at 1): the smooth-L1 beta of the box loss; torchvision uses 1/9.
    [Key("SMOOTH_L1_BETA")] public double SmoothL1Beta { get; set; } = 1.0;
}

/// <summary>MODEL.ROI_MASK_HEAD: pooler, feature extractor and predictor of the mask head.</summary>
public sealed class RoiMaskHeadConfig : ConfigSection
{
    [Key("FEATURE_EXTRACTOR")] public string FeatureExtractor { get; set; } = "ResNet50Conv5ROIFeatureExtractor";
    [Key("PREDICTOR")] public string Predictor { get; set; } = "MaskRCNNC4Predictor";
    [Key("POOLER_RESOLUTION")] public int PoolerResolution { get; set; } = 14;
    [Key("POOLER_SAMPLING_RATIO")] public int PoolerSamplingRatio { get; set; } = 0;
    [Key("POOLER_SCALES")] public double[] PoolerScales { get; set; } = [1.0 / 16];
    [Key("MLP_HEAD_DIM")] public int MlpHeadDim { get; set; } = 1024;
    [Key("CONV_LAYERS")] public int[] ConvLayers { get; set; } = [256, 256, 256, 256];
    [Key("RESOLUTION")] public int Resolution { get; set; } = 14;
    [Key("SHARE_BOX_FEATURE_EXTRACTOR")] public bool ShareBoxFeatureExtractor { get; set; } = true;
    [Key("POSTPROCESS_MASKS")] public bool PostprocessMasks { get; set; } = false;
    [Key("POSTPROCESS_MASKS_THRESHOLD")] public double PostprocessMasksThreshold { get; set; } = 0.5;
    [Key("DILATION")] public int Dilation { get; set; } = 1;
    [Key("USE_GN")] public bool UseGn { get; set; } = false;
}

/// <summary>MODEL.ROI_KEYPOINT_HEAD: kept so keypoint configs load; the keypoint head is not built yet.</summary>
public sealed class RoiKeypointHeadConfig : ConfigSection
{
    [Key("FEATURE_EXTRACTOR")] public string FeatureExtractor { get; set; } = "KeypointRCNNFeatureExtractor";
    [Key("PREDICTOR")] public string Predictor { get; set; } = "KeypointRCNNPredictor";
    [Key("POOLER_RESOLUTION")] public int PoolerResolution { get; set; } = 14;
    [Key("POOLER_SAMPLING_RATIO")] public int PoolerSamplingRatio { get; set; } = 0;
    [Key("POOLER_SCALES")] public double[] PoolerScales { get; set; } = [1.0 / 16];
    [Key("MLP_HEAD_DIM")] public int MlpHeadDim { get; set; } = 1024;
    [Key("CONV_LAYERS")] public int[] ConvLayers { get; set; } = [512, 512, 512, 512, 512, 512, 512, 512];
    [Key("RESOLUTION")] public int Resolution { get; set; } = 14;
    [Key("NUM_CLASSES")] public int NumClasses { get; set; } = 17;
    [Key("SHARE_BOX_FEATURE_EXTRACTOR")] public bool ShareBoxFeatureExtractor { get; set; } = true;
}
