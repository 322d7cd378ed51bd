namespace MaskRcnn.Checkpoint.Naming;

/// <summary>Tells from a file's names (and metadata) whose naming it uses.</summary>
public static class WeightSchemeDetector
{
    public static WeightScheme Detect(string path, IEnumerable<string> names, IReadOnlyDictionary<string, string> metadata)
    {
        if (CheckpointFormat.IsOurs(metadata)) return WeightScheme.MaskRcnn;
        var all = names.ToList();
        var torchvision = all.FirstOrDefault(TorchvisionNames.IsDistinctive);
        var benchmark = all.FirstOrDefault(MaskRcnnBenchmarkNames.IsDistinctive);
        return (torchvision, benchmark) switch
        {
            (null, not null) => WeightScheme.MaskRcnnBenchmark,
            (not null, null) => WeightScheme.Torchvision,
            (not null, not null) => throw new WeightFileException(
                $"{path}: mixes torchvision names ({torchvision}) with maskrcnn-benchmark names ({benchmark}); pass --from to choose"),
            _ => throw new WeightFileException(
                $"{path}: names are neither torchvision's Mask R-CNN (backbone.body.conv1.weight, roi_heads.box_head.*) nor maskrcnn-benchmark's " +
                $"(backbone.body.stem.conv1.weight, roi_heads.box.*); {Sample(all)}"),
        };
    }

    static string Sample(List<string> names) => names.Count == 0
        ? "the file has no tensors"
        : $"first names: {string.Join(", ", names.Take(3))}{(names.Count > 3 ? ", ..." : "")}";
}
