namespace MaskRcnn.Config;

/// <summary>MODEL.FBNET: kept so FBNet configs load; FBNet is not built yet.</summary>
public sealed class FbnetConfig : ConfigSection
{
    [Key("ARCH")] public string Arch { get; set; } = "default";
    [Key("ARCH_DEF")] public string ArchDef { get; set; } = "";
    [Key("BN_TYPE")] public string BnType { get; set; } = "bn";
    [Key("SCALE_FACTOR")] public double ScaleFactor { get; set; } = 1.0;
    [Key("WIDTH_DIVISOR")] public int WidthDivisor { get; set; } = 1;
    [Key("DW_CONV_SKIP_BN")] public bool DwConvSkipBn { get; set; } = true;
    [Key("DW_CONV_SKIP_RELU")] public bool DwConvSkipRelu { get; set; } = true;
    [Key("DET_HEAD_LAST_SCALE")] public double DetHeadLastScale { get; set; } = 1.0;
    [Key("DET_HEAD_BLOCKS")] public int[] DetHeadBlocks { get; set; } = [];
    [Key("DET_HEAD_STRIDE")] public int DetHeadStride { get; set; } = 0;
    [Key("KPTS_HEAD_LAST_SCALE")] public double KptsHeadLastScale { get; set; } = 0.0;
    [Key("KPTS_HEAD_BLOCKS")] public int[] KptsHeadBlocks { get; set; } = [];
    [Key("KPTS_HEAD_STRIDE")] public int KptsHeadStride { get; set; } = 0;
    [Key("MASK_HEAD_LAST_SCALE")] public double MaskHeadLastScale { get; set; } = 0.0;
    [Key("MASK_HEAD_BLOCKS")] public int[] MaskHeadBlocks { get; set; } = [];
    [Key("MASK_HEAD_STRIDE")] public int MaskHeadStride { get; set; } = 0;
    [Key("RPN_HEAD_BLOCKS")] public int RpnHeadBlocks { get; set; } = 0;
    [Key("RPN_BN_TYPE")] public string RpnBnType { get; set; } = "";
}
