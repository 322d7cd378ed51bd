namespace MaskRcnn.Config;

/// <summary>DATASETS: catalog names of the training and test datasets.</summary>
public sealed class DatasetsConfig : ConfigSection
{
    [Key("TRAIN")] public string[] Train { get; set; } = [];
    [Key("TEST")] public string[] Test { get; set; } = [];
}

/// <summary>DATALOADER: workers, batch padding and aspect-ratio grouping.</summary>
public sealed class DataLoaderConfig : ConfigSection
{
    [Key("NUM_WORKERS")] public int NumWorkers { get; set; } = 4;
    [Key("SIZE_DIVISIBILITY")] public int SizeDivisibility { get; set; } = 0;
    [Key("ASPECT_RATIO_GROUPING")] public bool AspectRatioGrouping { get; set; } = true;
    // Beyond maskrcnn-benchmark: leave unreadable images out (with a warning) instead of stopping.
    [Key("SKIP_BAD_SAMPLES")] public bool SkipBadSamples { get; set; } = false;
}
