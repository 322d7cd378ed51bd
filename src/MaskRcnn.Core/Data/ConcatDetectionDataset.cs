using MaskRcnn.Data.Coco;

namespace MaskRcnn.Data;

/// <summary>
/// Several datasets trained on as one, as maskrcnn-benchmark concatenates <c>DATASETS.TRAIN</c> (e.g. COCO train2014 +
/// valminusminival2014): indices run through the first dataset, then the second, and so on. Each dataset maps its
/// category ids to labels on its own, so all must have the same category ids, or labels would mean different
/// classes in different images; that is checked here (maskrcnn-benchmark does not). Names are only labels' names when
/// every dataset gives a category the same one: otherwise <see cref="ClassNames"/> is null and <see cref="NameConflict"/>
/// says where they differ, so that no checkpoint records one dataset's names for all.
/// </summary>
public sealed class ConcatDetectionDataset : IDetectionDataset
{
    readonly IReadOnlyList<CocoDetectionDataset> parts;
    readonly int[] starts;

    public ConcatDetectionDataset(IReadOnlyList<CocoDetectionDataset> datasets)
    {
        if (datasets.Count == 0) throw new ArgumentException("no datasets to concatenate", nameof(datasets));
        var first = datasets[0];
        foreach (var other in datasets.Skip(1))
            if (!other.CategoryOfLabel.SequenceEqual(first.CategoryOfLabel))
                throw new DataException($"datasets {first.Name} and {other.Name} have different categories " +
                                        $"(ids {string.Join(",", first.CategoryOfLabel.Skip(1))} vs {string.Join(",", other.CategoryOfLabel.Skip(1))}); " +
                                        "datasets trained on together must share their category ids");
        parts = datasets;
        NameConflict = datasets.Skip(1).Select(other => NameDifference(first, other)).FirstOrDefault(d => d is not null);
        ClassNames = NameConflict is null ? first.ClassNames : null;
        starts = new int[datasets.Count + 1];
        for (int i = 0; i < datasets.Count; i++) starts[i + 1] = starts[i] + datasets[i].Count;
        Name = string.Join("+", datasets.Select(d => d.Name));
    }

    public string Name { get; }
    public int Count => starts[^1];
    public int NumClasses => parts[0].NumClasses;
    public IReadOnlyList<long> CategoryOfLabel => parts[0].CategoryOfLabel;
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The first category two of the datasets name differently, in one line; null when all agree.</summary>
    public string? NameConflict { get; }

    static string? NameDifference(CocoDetectionDataset first, CocoDetectionDataset other)
    {
        for (int label = 1; label < first.NumClasses; label++)
            if (first.ClassNames[label] != other.ClassNames[label])
                return $"category id {first.CategoryOfLabel[label]} is '{first.ClassNames[label]}' in {first.Name} but '{other.ClassNames[label]}' in {other.Name}";
        return null;
    }

    public long ImageIdAt(int index) => Locate(index, out int local).ImageIdAt(local);
    public CocoImage ImageAt(int index) => Locate(index, out int local).ImageAt(local);

    public DetectionSample Load(int index, int maxImagePixels)
    {
        var sample = Locate(index, out int local).Load(local, maxImagePixels);
        return sample with { Index = index };
    }

    CocoDetectionDataset Locate(int index, out int local)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"index {index} outside 0..{Count - 1} of {Name}");
        int part = Array.BinarySearch(starts, index);
        part = part >= 0 ? part : ~part - 1;
        while (starts[part + 1] == index && part + 1 < parts.Count) part++; // skip empty datasets
        local = index - starts[part];
        return parts[part];
    }
}
