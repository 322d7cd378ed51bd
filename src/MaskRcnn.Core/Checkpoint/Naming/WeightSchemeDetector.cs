namespace MaskRcnn.Checkpoint.Naming;

/// <summary>Tells from a file's names (and metadata) whose naming it uses.</summary>
public static class WeightSchemeDetector
{
    // Each scheme with the names only it uses; a file is of the one scheme it has such names of.
    static readonly (WeightScheme Scheme, Func<string, bool> IsDistinctive)[] Distinctive =
    [
        (WeightScheme.Torchvision, TorchvisionNames.IsDistinctive),
        (WeightScheme.MaskRcnnBenchmark, MaskRcnnBenchmarkNames.IsDistinctive),
        (WeightScheme.Yolact, YolactNames.IsDistinctive),
        (WeightScheme.Caffe2, Caffe2Names.IsDistinctive),
        (WeightScheme.Detectron2, Detectron2Names.IsDistinctive),
    ];

    public static WeightScheme Detect(string path, IEnumerable<string> names, IReadOnlyDictionary<string, string> metadata)
    {
        if (CheckpointFormat.IsOurs(metadata)) return WeightScheme.MaskRcnn;
        var all = names.ToList();
        var found = Distinctive.Select(d => (d.Scheme, Name: all.FirstOrDefault(d.IsDistinctive))).Where(d => d.Name is not null).ToList();
        return found switch
        {
            [var only] => only.Scheme,
            [var first, var second, ..] => throw new WeightFileException(
                $"{path}: mixes {first.Scheme.Name()} names ({first.Name}) with {second.Scheme.Name()} names ({second.Name}); pass --from to choose"),
            _ => throw new WeightFileException(
                $"{path}: names are neither torchvision's Mask R-CNN (backbone.body.conv1.weight, roi_heads.box_head.*) or ImageNet classifiers " +
                $"(conv1.weight, layer1.0.conv1.weight, features.0.weight), maskrcnn-benchmark's " +
                $"(backbone.body.stem.conv1.weight, roi_heads.box.*), dbolya/yolact's (backbone.layers.*, fpn.lat_layers.*, proto_net.0.*), " +
                $"Detectron's Caffe2 blobs (conv1_w, res2_0_branch2a_w, fpn_inner_res5_2_sum_w) nor detectron2's " +
                $"(backbone.bottom_up.*, proposal_generator.*, res2.0.conv1.*); {Sample(all)}"),
        };
    }

    static string Sample(List<string> names) => names.Count == 0
        ? "the file has no tensors"
        : $"first names: {string.Join(", ", names.Take(3))}{(names.Count > 3 ? ", ..." : "")}";
}
