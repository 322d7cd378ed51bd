namespace MaskRcnn.Config;

/// <summary>
/// The whole configuration: maskrcnn-benchmark's <c>config/defaults.py</c> as typed C#, every key with the
/// same default. Built by <see cref="ConfigLoader"/> from defaults, YAML files and command-line overrides.
/// </summary>
public sealed class MaskRcnnConfig : ConfigSection
{
    [Key("MODEL")] public ModelConfig Model { get; } = new();
    [Key("INPUT")] public InputConfig Input { get; } = new();
    [Key("DATASETS")] public DatasetsConfig Datasets { get; } = new();
    [Key("DATALOADER")] public DataLoaderConfig DataLoader { get; } = new();
    [Key("SOLVER")] public SolverConfig Solver { get; } = new();
    [Key("TEST")] public TestConfig Test { get; } = new();
    [Key("OUTPUT_DIR")] public string OutputDir { get; set; } = ".";
    [Key("PATHS_CATALOG")] public string PathsCatalog { get; set; } = ""; // empty: the built-in catalog
    [Key("DTYPE")] public string Dtype { get; set; } = "float32";
    [Key("AMP_VERBOSE")] public bool AmpVerbose { get; set; } = false;
    // Beyond maskrcnn-benchmark: the seed of weights, sampling and augmentation; negative picks one (logged and saved).
    [Key("SEED")] public int Seed { get; set; } = -1;
}
