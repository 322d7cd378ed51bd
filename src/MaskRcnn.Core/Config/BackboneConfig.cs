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

    /// <summary>maskrcnn-benchmark's group count for a layer of <paramref name="channels"/>/<paramref name="divisor"/>
    /// channels: a divisor shrinks channels and both settings alike (Python floor division: −1 // 2 stays −1). Here, not
    /// in the layer factory, so that config checks can apply the rule before any layer is built.</summary>
    public static int GroupCount(int dimPerGroup, int numGroups, int channels, int divisor = 1)
    {
        if (divisor <= 0) throw new ArgumentException($"GroupNorm divisor must be positive, got {divisor}");
        channels /= divisor;
        int perGroup = FloorDiv(dimPerGroup, divisor), groups = FloorDiv(numGroups, divisor);
        if (perGroup != -1 && groups != -1)
            throw new ConfigException($"MODEL.GROUP_NORM: set either DIM_PER_GP or NUM_GROUPS to -1 (got DIM_PER_GP {dimPerGroup}, NUM_GROUPS {numGroups})");
        if (perGroup > 0)
        {
            if (channels % perGroup != 0)
                throw new ConfigException($"MODEL.GROUP_NORM.DIM_PER_GP: {channels} channels are not divisible by {perGroup}");
            return channels / perGroup;
        }
        if (groups <= 0 || channels % groups != 0)
            throw new ConfigException($"MODEL.GROUP_NORM.NUM_GROUPS: {channels} channels cannot be split into {groups} groups");
        return groups;
    }

    static int FloorDiv(int a, int b) => (int)Math.Floor((double)a / b);
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
