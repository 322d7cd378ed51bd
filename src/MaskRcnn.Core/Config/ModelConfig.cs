namespace MaskRcnn.Config;

/// <summary>MODEL: which architecture, device and weights, and the sections of its parts.</summary>
public sealed class ModelConfig : ConfigSection
{
    [Key("RPN_ONLY")] public bool RpnOnly { get; set; } = false;
    [Key("MASK_ON")] public bool MaskOn { get; set; } = false;
    [Key("RETINANET_ON")] public bool RetinanetOn { get; set; } = false;
    [Key("KEYPOINT_ON")] public bool KeypointOn { get; set; } = false;
    [Key("DEVICE")] public string Device { get; set; } = "cuda";
    [Key("META_ARCHITECTURE")] public string MetaArchitecture { get; set; } = "GeneralizedRCNN";
    [Key("CLS_AGNOSTIC_BBOX_REG")] public bool ClsAgnosticBboxReg { get; set; } = false;
    [Key("WEIGHT")] public string Weight { get; set; } = "";
    // Beyond maskrcnn-benchmark: whose box arithmetic (anchors, "+1" widths) the model follows; see BoxConvention.
    [Key("BOX_CONVENTION")] public string BoxConvention { get; set; } = "maskrcnn-benchmark";
    [Key("BACKBONE")] public BackboneConfig Backbone { get; } = new();
    [Key("FPN")] public FpnConfig Fpn { get; } = new();
    [Key("GROUP_NORM")] public GroupNormConfig GroupNorm { get; } = new();
    [Key("RPN")] public RpnConfig Rpn { get; } = new();
    [Key("ROI_HEADS")] public RoiHeadsConfig RoiHeads { get; } = new();
    [Key("ROI_BOX_HEAD")] public RoiBoxHeadConfig RoiBoxHead { get; } = new();
    [Key("ROI_MASK_HEAD")] public RoiMaskHeadConfig RoiMaskHead { get; } = new();
    [Key("ROI_KEYPOINT_HEAD")] public RoiKeypointHeadConfig RoiKeypointHead { get; } = new();
    [Key("RESNETS")] public ResNetsConfig ResNets { get; } = new();
    [Key("RETINANET")] public RetinaNetConfig RetinaNet { get; } = new();
    [Key("FBNET")] public FbnetConfig Fbnet { get; } = new();
    [Key("YOLACT")] public YolactConfig Yolact { get; } = new();

    /// <summary>Whether MODEL.META_ARCHITECTURE is the one-stage YOLACT (its settings live under MODEL.YOLACT).</summary>
    public bool IsYolact => MetaArchitecture == "YOLACT";

    /// <summary>Whether the model stops at proposals (RPN_ONLY): an R-CNN key; YOLACT has no RPN, and RetinaNet's configs set it
    /// while their RetinaNet module gives the detections (maskrcnn-benchmark builds no RoI heads for them either way).</summary>
    public bool ProposalsOnly => RpnOnly && !IsYolact && !RetinanetOn;

    /// <summary>Whether the model predicts instance masks: YOLACT always, Mask R-CNN with MASK_ON.</summary>
    public bool PredictsMasks => IsYolact || MaskOn;

    /// <summary>How many classes the model predicts, background included. Every reader of the count comes here, so an
    /// architecture that keeps it under another key changes this one place (and <see cref="NumClassesKey"/>).</summary>
    public int NumClasses => IsYolact ? Yolact.NumClasses : RetinanetOn ? RetinaNet.NumClasses : RoiBoxHead.NumClasses;

    /// <summary>The full key that sets <see cref="NumClasses"/>, for messages.</summary>
    public string NumClassesKey => IsYolact ? "MODEL.YOLACT.NUM_CLASSES" : RetinanetOn ? "MODEL.RETINANET.NUM_CLASSES" : "MODEL.ROI_BOX_HEAD.NUM_CLASSES";
}
