namespace MaskRcnn.Config;

/// <summary>MODEL.RETINANET: the RetinaNet built when MODEL.RETINANET_ON (Modeling/RetinaNet/).</summary>
public sealed class RetinaNetConfig : ConfigSection
{
    [Key("NUM_CLASSES")] public int NumClasses { get; set; } = 81;
    [Key("ANCHOR_SIZES")] public int[] AnchorSizes { get; set; } = [32, 64, 128, 256, 512];
    [Key("ASPECT_RATIOS")] public double[] AspectRatios { get; set; } = [0.5, 1.0, 2.0];
    [Key("ANCHOR_STRIDES")] public int[] AnchorStrides { get; set; } = [8, 16, 32, 64, 128];
    [Key("STRADDLE_THRESH")] public int StraddleThresh { get; set; } = 0;
    [Key("OCTAVE")] public double Octave { get; set; } = 2.0;
    [Key("SCALES_PER_OCTAVE")] public int ScalesPerOctave { get; set; } = 3;
    [Key("USE_C5")] public bool UseC5 { get; set; } = true;
    [Key("NUM_CONVS")] public int NumConvs { get; set; } = 4;
    [Key("BBOX_REG_WEIGHT")] public double BboxRegWeight { get; set; } = 4.0;
    [Key("BBOX_REG_BETA")] public double BboxRegBeta { get; set; } = 0.11;
    [Key("PRE_NMS_TOP_N")] public int PreNmsTopN { get; set; } = 1000;
    [Key("FG_IOU_THRESHOLD")] public double FgIouThreshold { get; set; } = 0.5;
    [Key("BG_IOU_THRESHOLD")] public double BgIouThreshold { get; set; } = 0.4;
    [Key("LOSS_ALPHA")] public double LossAlpha { get; set; } = 0.25;
    [Key("LOSS_GAMMA")] public double LossGamma { get; set; } = 2.0;
    [Key("PRIOR_PROB")] public double PriorProb { get; set; } = 0.01;
    [Key("INFERENCE_TH")] public double InferenceTh { get; set; } = 0.05;
    [Key("NMS_TH")] public double NmsTh { get; set; } = 0.4;
    // Beyond maskrcnn-benchmark (which fixes them at 10, 10, 5, 5): the box coder's weights; torchvision's RetinaNet uses 1s.
    [Key("BBOX_REG_WEIGHTS")] public double[] BboxRegWeights { get; set; } = [10.0, 10.0, 5.0, 5.0];
    // Ours: how the loss sums are normalised. "maskrcnn-benchmark": over the batch, focal / (positives + images), box /
    // max(1, positives × BBOX_REG_WEIGHT). "torchvision": per image, each by max(1, its positives) (the box one times
    // BBOX_REG_WEIGHT), then averaged over the images.
    [Key("LOSS_NORMALIZATION")] public string LossNormalization { get; set; } = "maskrcnn-benchmark";
}
