namespace MaskRcnn.Config;

/// <summary>
/// MODEL.YOLACT: the one-stage YOLACT model (Bolya et al. 2019; dbolya/yolact's <c>yolact_base_config</c> values as
/// defaults): FPN P3–P7, ProtoNet on P3, one prediction head shared by all levels, SSD-style matching with OHEM,
/// Fast NMS. Beyond maskrcnn-benchmark (README lists the keys).
/// </summary>
public sealed class YolactConfig : ConfigSection
{
    /// <summary>Classes predicted, background included (the reference's num_classes: 81 for COCO).</summary>
    [Key("NUM_CLASSES")] public int NumClasses { get; set; } = 81;

    // Anchors ("priors"): one scale per level P3..P7, in pixels of the network input; every cell gets one anchor per
    // aspect ratio, centred at ((i+0.5)/w, (j+0.5)/h) of the input.
    [Key("ANCHOR_SCALES")] public double[] AnchorScales { get; set; } = [24, 48, 96, 192, 384];
    [Key("ASPECT_RATIOS")] public double[] AspectRatios { get; set; } = [1.0, 0.5, 2.0];
    // The reference's use_square_anchors (a kept bug its published weights need): height = width.
    [Key("SQUARE_ANCHORS")] public bool SquareAnchors { get; set; } = false;

    [Key("FPN_CHANNELS")] public int FpnChannels { get; set; } = 256;
    [Key("NUM_PROTOTYPES")] public int NumPrototypes { get; set; } = 32;
    [Key("PROTO_CHANNELS")] public int ProtoChannels { get; set; } = 256;
    [Key("HEAD_CHANNELS")] public int HeadChannels { get; set; } = 256;
    // GroupNorm (MODEL.GROUP_NORM) after the FPN, ProtoNet and head convolutions: for training from scratch.
    [Key("USE_GN")] public bool UseGn { get; set; } = false;

    // Matching and losses.
    [Key("POSITIVE_IOU_THRESHOLD")] public double PositiveIouThreshold { get; set; } = 0.5;
    [Key("NEGATIVE_IOU_THRESHOLD")] public double NegativeIouThreshold { get; set; } = 0.4;
    // Non-positive anchors covered by a crowd box beyond this (intersection over anchor area) are neutral; 1 turns it off.
    [Key("CROWD_IOU_THRESHOLD")] public double CrowdIouThreshold { get; set; } = 0.7;
    [Key("NEG_POS_RATIO")] public int NegPosRatio { get; set; } = 3;
    [Key("MASKS_TO_TRAIN")] public int MasksToTrain { get; set; } = 100;
    [Key("BOX_LOSS_WEIGHT")] public double BoxLossWeight { get; set; } = 1.5;
    [Key("CLASS_LOSS_WEIGHT")] public double ClassLossWeight { get; set; } = 1.0;
    [Key("MASK_LOSS_WEIGHT")] public double MaskLossWeight { get; set; } = 6.125;
    // The auxiliary semantic segmentation head on P3 (training only); weight 0 leaves the head out.
    [Key("SEMANTIC_LOSS_WEIGHT")] public double SemanticLossWeight { get; set; } = 1.0;

    // Inference.
    [Key("NMS")] public string Nms { get; set; } = "fast";
    [Key("NMS_TOP_K")] public int NmsTopK { get; set; } = 200;
    [Key("NMS_THRESH")] public double NmsThresh { get; set; } = 0.5;
    [Key("SCORE_THRESH")] public double ScoreThresh { get; set; } = 0.05;
    [Key("DETECTIONS_PER_IMG")] public int DetectionsPerImg { get; set; } = 100;
}
