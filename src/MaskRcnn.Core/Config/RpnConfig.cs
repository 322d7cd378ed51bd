namespace MaskRcnn.Config;

/// <summary>MODEL.RPN: anchors, matching and sampling for the loss, and proposal selection.</summary>
public sealed class RpnConfig : ConfigSection
{
    [Key("USE_FPN")] public bool UseFpn { get; set; } = false;
    [Key("ANCHOR_SIZES")] public int[] AnchorSizes { get; set; } = [32, 64, 128, 256, 512];
    [Key("ANCHOR_STRIDE")] public int[] AnchorStride { get; set; } = [16];
    [Key("ASPECT_RATIOS")] public double[] AspectRatios { get; set; } = [0.5, 1.0, 2.0];
    [Key("STRADDLE_THRESH")] public int StraddleThresh { get; set; } = 0;
    [Key("FG_IOU_THRESHOLD")] public double FgIouThreshold { get; set; } = 0.7;
    [Key("BG_IOU_THRESHOLD")] public double BgIouThreshold { get; set; } = 0.3;
    [Key("BATCH_SIZE_PER_IMAGE")] public int BatchSizePerImage { get; set; } = 256;
    [Key("POSITIVE_FRACTION")] public double PositiveFraction { get; set; } = 0.5;
    [Key("PRE_NMS_TOP_N_TRAIN")] public int PreNmsTopNTrain { get; set; } = 12000;
    [Key("PRE_NMS_TOP_N_TEST")] public int PreNmsTopNTest { get; set; } = 6000;
    [Key("POST_NMS_TOP_N_TRAIN")] public int PostNmsTopNTrain { get; set; } = 2000;
    [Key("POST_NMS_TOP_N_TEST")] public int PostNmsTopNTest { get; set; } = 1000;
    [Key("NMS_THRESH")] public double NmsThresh { get; set; } = 0.7;
    [Key("MIN_SIZE")] public double MinSize { get; set; } = 0; // a float here: torchvision drops proposals under 1e-3
    [Key("FPN_POST_NMS_TOP_N_TRAIN")] public int FpnPostNmsTopNTrain { get; set; } = 2000;
    [Key("FPN_POST_NMS_TOP_N_TEST")] public int FpnPostNmsTopNTest { get; set; } = 2000;
    // False (per image) unlike maskrcnn-benchmark's True, which picks training proposals over the whole batch (its issue #672).
    [Key("FPN_POST_NMS_PER_BATCH")] public bool FpnPostNmsPerBatch { get; set; } = false;
    [Key("RPN_HEAD")] public string RpnHead { get; set; } = "SingleConvRPNHead";
}
