namespace MaskRcnn.Config;

/// <summary>MODEL.BACKBONE: the conv body by name and how much of it is frozen.</summary>
public sealed class BackboneConfig : ConfigSection
{
    [Key("CONV_BODY")] public string ConvBody { get; set; } = "R-50-C4";
    [Key("FREEZE_CONV_BODY_AT")] public int FreezeConvBodyAt { get; set; } = 2;
    // Beyond maskrcnn-benchmark: eps of the frozen batch norms; negative means the body's own (0 for maskrcnn-benchmark's
    // ResNets, as there; 1e-5 for the torchvision-layout ). torchvision's R-50 models need 1e-5.
    [Key("FROZEN_BN_EPS")] public double FrozenBnEps { get; set; } = -1;
}

/// <summary>MODEL.FPN: normalization and activation of the FPN layers.</summary>
public sealed class FpnConfig : ConfigSection
{
    [Key("USE_GN")] public bool UseGn { get; set; } = false;
    [Key("USE_RELU")] public bool UseRelu { get; set; } = false;
}

/// <summary>MODEL.GROUP_NORM: group count (or channels per group) and epsilon wherever GroupNorm is used.</summary>
public sealed class GroupNormConfig : ConfigSection
{
    [Key("DIM_PER_GP")] public int DimPerGp { get; set; } = -1;
    [Key("NUM_GROUPS")] public int NumGroups { get; set; } = 32;
    [Key("EPSILON")] public double Epsilon { get; set; } = 1e-05;
}

/// <summary>MODEL.RESNETS: ResNet/ResNeXt layout, shared by the backbone and the C4 box head.</summary>
public sealed class ResNetsConfig : ConfigSection
{
    [Key("NUM_GROUPS")] public int NumGroups { get; set; } = 1;
    [Key("WIDTH_PER_GROUP")] public int WidthPerGroup { get; set; } = 64;
    [Key("STRIDE_IN_1X1")] public bool StrideIn1x1 { get; set; } = true;
    [Key("TRANS_FUNC")] public string TransFunc { get; set; } = "BottleneckWithFixedBatchNorm";
    [Key("STEM_FUNC")] public string StemFunc { get; set; } = "StemWithFixedBatchNorm";
    [Key("RES5_DILATION")] public int Res5Dilation { get; set; } = 1;
    [Key("BACKBONE_OUT_CHANNELS")] public int BackboneOutChannels { get; set; } = 1024;
    [Key("RES2_OUT_CHANNELS")] public int Res2OutChannels { get; set; } = 256;
    [Key("STEM_OUT_CHANNELS")] public int StemOutChannels { get; set; } = 64;
    [Key("STAGE_WITH_DCN")] public bool[] StageWithDcn { get; set; } = [false, false, false, false];
    [Key("WITH_MODULATED_DCN")] public bool WithModulatedDcn { get; set; } = false;
    [Key("DEFORMABLE_GROUPS")] public int DeformableGroups { get; set; } = 1;
}
