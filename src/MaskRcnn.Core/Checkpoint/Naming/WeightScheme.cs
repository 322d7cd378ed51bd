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
    /// <summary>Detectron's Caffe2 blob names (<c>conv1_w</c>, <c>res2_0_branch2a_bn_s</c>, <c>fpn_inner_res5_2_sum_w</c>): its ImageNet backbones and trained models.</summary>
    Caffe2,
    /// <summary>detectron2's names (<c>backbone.bottom_up.res2.0.conv1.weight</c>, <c>proposal_generator.rpn_head.*</c>), and its backbone files (<c>res2.0.conv1.norm.weight</c>).</summary>
    Detectron2,
}

public static class WeightSchemeNames
{
    public const string MaskRcnn = "maskrcnn", MaskRcnnBenchmark = "maskrcnn-benchmark", Torchvision = "torchvision", Yolact = "yolact",
        Caffe2 = "caffe2", Detectron2 = "detectron2";

    public static string Name(this WeightScheme scheme) => scheme switch
    {
        WeightScheme.MaskRcnn => MaskRcnn,
        WeightScheme.MaskRcnnBenchmark => MaskRcnnBenchmark,
        WeightScheme.Torchvision => Torchvision,
        WeightScheme.Yolact => Yolact,
        WeightScheme.Caffe2 => Caffe2,
        WeightScheme.Detectron2 => Detectron2,
        _ => throw new ArgumentOutOfRangeException(nameof(scheme)),
    };

    public static WeightScheme Parse(string name) => name switch
    {
        MaskRcnn => WeightScheme.MaskRcnn,
        MaskRcnnBenchmark => WeightScheme.MaskRcnnBenchmark,
        Torchvision => WeightScheme.Torchvision,
        Yolact => WeightScheme.Yolact,
        Caffe2 => WeightScheme.Caffe2,
        Detectron2 => WeightScheme.Detectron2,
        _ => throw new ArgumentException($"unknown weight naming scheme '{name}' (expected {MaskRcnn}, {MaskRcnnBenchmark}, {Torchvision}, {Yolact}, {Caffe2} or {Detectron2})"),
    };
}
