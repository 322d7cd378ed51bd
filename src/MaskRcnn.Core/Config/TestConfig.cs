namespace MaskRcnn.Config;

/// <summary>TEST: inference batch size, detections per image and test-time augmentation.</summary>
public sealed class TestConfig : ConfigSection
{
    [Key("EXPECTED_RESULTS")] public object?[] ExpectedResults { get; set; } = [];
    [Key("EXPECTED_RESULTS_SIGMA_TOL")] public int ExpectedResultsSigmaTol { get; set; } = 4;
    [Key("IMS_PER_BATCH")] public int ImsPerBatch { get; set; } = 8;
    [Key("DETECTIONS_PER_IMG")] public int DetectionsPerImg { get; set; } = 100;
    [Key("BBOX_AUG")] public BboxAugConfig BboxAug { get; } = new();
}

/// <summary>TEST.BBOX_AUG: test-time augmentation for boxes.</summary>
public sealed class BboxAugConfig : ConfigSection
{
    [Key("ENABLED")] public bool Enabled { get; set; } = false;
    [Key("H_FLIP")] public bool HFlip { get; set; } = false;
    [Key("SCALES")] public int[] Scales { get; set; } = [];
    [Key("MAX_SIZE")] public int MaxSize { get; set; } = 4000;
    [Key("SCALE_H_FLIP")] public bool ScaleHFlip { get; set; } = false;
}
