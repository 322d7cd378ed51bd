using System.Globalization;
using MaskRcnn.Config;
using MaskRcnn.Data;
using MaskRcnn.Data.Coco;

namespace MaskRcnn.Inference;

/// <summary>
/// What a model's contiguous labels 1..K mean: the COCO category id and the name of each (index 0 is background).
/// From a dataset, as maskrcnn-benchmark maps them (categories in sorted id order); or, with no dataset to ask,
/// "class N" with category id N.
/// </summary>
public sealed record DetectionCategories(IReadOnlyList<long> CategoryOfLabel, IReadOnlyList<string> ClassNames, string Source)
{
    /// <summary>Labels 1..K including background, as <c>MODEL.ROI_BOX_HEAD.NUM_CLASSES</c> counts them.</summary>
    public int NumClasses => CategoryOfLabel.Count;

    public static DetectionCategories Of(CocoDetectionDataset dataset) => new(dataset.CategoryOfLabel, dataset.ClassNames, $"dataset {dataset.Name}");

    /// <summary>"class 1" … "class K-1" with category ids equal to the labels.</summary>
    public static DetectionCategories Generic(int numClasses) => new(
        Enumerable.Range(0, numClasses).Select(i => (long)i).ToList(),
        Enumerable.Range(0, numClasses).Select(i => i == 0 ? "__background" : string.Create(CultureInfo.InvariantCulture, $"class {i}")).ToList(),
        "no dataset");

    /// <summary>
    /// The categories of the config's first test dataset (or first training dataset when it has none), read through the
    /// dataset catalog. When there is no such dataset, it cannot be opened, or its category count does not match
    /// <c>MODEL.ROI_BOX_HEAD.NUM_CLASSES</c>, <paramref name="note"/> says why and the labels become "class N".
    /// </summary>
    public static DetectionCategories FromConfig(MaskRcnnConfig cfg, Action<string>? note = null)
    {
        int numClasses = cfg.Model.NumClasses;
        var name = cfg.Datasets.Test.FirstOrDefault() ?? cfg.Datasets.Train.FirstOrDefault();
        if (name is null)
        {
            note?.Invoke("no DATASETS.TEST or DATASETS.TRAIN to take class names from; labels are 'class N' with category id N");
            return Generic(numClasses);
        }
        CocoDetectionDataset dataset;
        try { dataset = CocoDetectionDataset.Open(DatasetCatalog.Create(cfg.PathsCatalog).Get(name), forTraining: false); }
        catch (Exception e) when (e is ConfigException or DataException or IOException or UnauthorizedAccessException)
        {
            note?.Invoke($"class names unavailable (dataset {name}: {e.Message}); labels are 'class N' with category id N");
            return Generic(numClasses);
        }
        if (dataset.NumClasses != numClasses)
        {
            note?.Invoke($"dataset {name} has {dataset.NumClasses - 1} categories but {cfg.Model.NumClassesKey} is {numClasses} " +
                         "(background included); labels are 'class N' with category id N");
            return Generic(numClasses);
        }
        return Of(dataset);
    }

    /// <summary>The name of a label; labels outside 1..K are an error naming the label and where the names came from.</summary>
    public string NameOf(long label) => label >= 1 && label < ClassNames.Count ? ClassNames[(int)label]
        : throw new DataException($"detection label {label} has no category: {Source} has {ClassNames.Count - 1} categories");

    /// <summary>The COCO category id of a label, checked as <see cref="NameOf"/>.</summary>
    public long CategoryOf(long label) => label >= 1 && label < CategoryOfLabel.Count ? CategoryOfLabel[(int)label]
        : throw new DataException($"detection label {label} has no category: {Source} has {CategoryOfLabel.Count - 1} categories " +
                                  "(does MODEL.ROI_BOX_HEAD.NUM_CLASSES match the dataset?)");
}
