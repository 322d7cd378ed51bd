namespace MaskRcnn.Checkpoint.Naming;

/// <summary>Whose parameter names a weight file uses.</summary>
public enum WeightScheme
{
    /// <summary>This tool's checkpoint format: maskrcnn-benchmark's names, with our metadata.</summary>
    MaskRcnn,
    /// <summary>maskrcnn-benchmark's state dict, possibly with DataParallel's <c>module.</c> prefix.</summary>
    MaskRcnnBenchmark,
    /// <summary>torchvision's <c>maskrcnn_resnet50_fpn</c> / <c>fasterrcnn_resnet50_fpn</c> state dict (0.14, or older naming).</summary>
    Torchvision,
    /// <summary>dbolya/yolact's <c>Yolact</c> state dict (ResNet backbones, shared prediction module).</summary>
    Yolact,
}

public static class WeightSchemeNames
{
    public const string MaskRcnn = "maskrcnn", MaskRcnnBenchmark = "maskrcnn-benchmark", Torchvision = "torchvision", Yolact = "yolact";

    public static string Name(this WeightScheme scheme) => scheme switch
    {
        WeightScheme.MaskRcnn => MaskRcnn,
        WeightScheme.MaskRcnnBenchmark => MaskRcnnBenchmark,
        WeightScheme.Torchvision => Torchvision,
        WeightScheme.Yolact => Yolact,
        _ => throw new ArgumentOutOfRangeException(nameof(scheme)),
    };

    public static WeightScheme Parse(string name) => name switch
    {
        MaskRcnn => WeightScheme.MaskRcnn,
        MaskRcnnBenchmark => WeightScheme.MaskRcnnBenchmark,
        Torchvision => WeightScheme.Torchvision,
        Yolact => WeightScheme.Yolact,
        _ => throw new ArgumentException($"unknown weight naming scheme '{name}' (expected {MaskRcnn}, {MaskRcnnBenchmark}, {Torchvision} or {Yolact})"),
    };
}
