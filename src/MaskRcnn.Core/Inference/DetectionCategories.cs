using System.Globalization;
using MaskRcnn.Checkpoint;
using MaskRcnn.Data;
using MaskRcnn.Data.Coco;

namespace MaskRcnn.Inference;

/// <summary>
/// What a model's contiguous labels 1..K mean: the COCO category id and the name of each (index 0 is background), and
/// where that came from. From a dataset, as maskrcnn-benchmark maps them (categories in sorted id order), a checkpoint,
/// a classes file or the built-in COCO names (<see cref="CategoryResolution"/> chooses); or, with none of them,
/// "class N" with category id N.
/// </summary>
public sealed record DetectionCategories(IReadOnlyList<long> CategoryOfLabel, IReadOnlyList<string> ClassNames, string Source)
{
    public const string GenericSource = "generic names";

    /// <summary>Labels 1..K including background, as <c>MODEL.ROI_BOX_HEAD.NUM_CLASSES</c> counts them.</summary>
    public int NumClasses => CategoryOfLabel.Count;

    public static DetectionCategories Of(CocoDetectionDataset dataset) => new(dataset.CategoryOfLabel, dataset.ClassNames, $"dataset {dataset.Name}");

    /// <summary>The categories a checkpoint recorded (<see cref="CheckpointCategories"/>), in label order.</summary>
    public static DetectionCategories Of(IReadOnlyList<CheckpointCategory> categories, string checkpoint) =>
        new([0, .. categories.Select(c => c.Id)], ["__background", .. categories.Select(c => c.Name)], $"checkpoint {checkpoint}");

    /// <summary>"class 1" … "class K-1" with category ids equal to the labels.</summary>
    public static DetectionCategories Generic(int numClasses) => new(
        Enumerable.Range(0, numClasses).Select(i => (long)i).ToList(),
        Enumerable.Range(0, numClasses).Select(i => i == 0 ? "__background" : string.Create(CultureInfo.InvariantCulture, $"class {i}")).ToList(),
        GenericSource);

    /// <summary>One line saying how many classes there are and where their names came from.</summary>
    public string Summary => Source == GenericSource
        ? $"classes: {NumClasses - 1} unnamed, labelled 'class N' with category id N"
        : $"classes: {NumClasses - 1} from {Source}";

    /// <summary>Whether both give every label the same category id and name.</summary>
    public bool SameAs(DetectionCategories other) =>
        CategoryOfLabel.Skip(1).SequenceEqual(other.CategoryOfLabel.Skip(1)) && ClassNames.Skip(1).SequenceEqual(other.ClassNames.Skip(1));

    /// <summary>The name of a label; labels outside 1..K are an error naming the label and where the names came from.</summary>
    public string NameOf(long label) => label >= 1 && label < ClassNames.Count ? ClassNames[(int)label]
        : throw new DataException($"detection label {label} has no category: {Source} has {ClassNames.Count - 1} categories");

    /// <summary>The COCO category id of a label, checked as <see cref="NameOf"/>.</summary>
    public long CategoryOf(long label) => label >= 1 && label < CategoryOfLabel.Count ? CategoryOfLabel[(int)label]
        : throw new DataException($"detection label {label} has no category: {Source} has {CategoryOfLabel.Count - 1} categories " +
                                  "(does MODEL.ROI_BOX_HEAD.NUM_CLASSES match the dataset?)");
}
