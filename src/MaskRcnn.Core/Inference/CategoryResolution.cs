using MaskRcnn.Checkpoint;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.Config;
using MaskRcnn.Data;
using MaskRcnn.Data.Coco;

namespace MaskRcnn.Inference;

/// <summary>
/// Which names label detections (predict's overlays and predictions.json). The first source that fits
/// <c>NUM_CLASSES</c> wins: <c>predict --classes FILE</c>; the categories the checkpoint recorded in training; the
/// config's dataset (<c>DATASETS.TEST[0]</c>, else <c>DATASETS.TRAIN[0]</c>) when it opens; the built-in COCO names when
/// the weights are a COCO model of a framework whose label layout is known (their naming scheme, or the one
/// <c>maskrcnn convert</c> recorded, with 91 or 81 classes); else "class N". A source that is there but does not fit is
/// passed over with a note; when no names are found, one note says why.
/// </summary>
public static class CategoryResolution
{
    public static DetectionCategories Resolve(MaskRcnnConfig cfg, DetectionCategories? classesFile, LoadReport? weights, Action<string>? note = null)
    {
        if (classesFile is not null) return classesFile; // checked against NUM_CLASSES as it was read
        int numClasses = cfg.Model.NumClasses;
        var unavailable = new List<string>();
        if (weights is not null)
        {
            if (CheckpointCategories.Read(weights.Source, weights.Metadata) is { } recorded)
            {
                if (recorded.Count + 1 == numClasses) return DetectionCategories.Of(recorded, weights.Source);
                note?.Invoke($"checkpoint {weights.Source} names {recorded.Count} categories but {cfg.Model.NumClassesKey} is {numClasses} " +
                             "(background included); not using its names");
            }
            else unavailable.Add($"{weights.Source} records none");
        }
        if (FromDataset(cfg, unavailable, note) is { } fromDataset) return fromDataset;
        if (weights is not null && CocoLabelLayouts.OriginOf(weights) is var origin && origin.CocoLayout() is { } layout)
        {
            if (layout.NumClasses() == numClasses) return CocoCategoryNames.For(layout);
            unavailable.Add($"{origin.Name()} weights with {numClasses} classes are no COCO model ({layout.NumClasses()} classes)");
        }
        note?.Invoke($"class names unavailable ({string.Join("; ", unavailable)}); labels are 'class N' with category id N");
        return DetectionCategories.Generic(numClasses);
    }

    /// <summary>The config's first test dataset (or first training dataset when it has none), read through the catalog,
    /// when it opens and fits; else null, with the reason added to <paramref name="unavailable"/> or noted.</summary>
    static DetectionCategories? FromDataset(MaskRcnnConfig cfg, List<string> unavailable, Action<string>? note)
    {
        var name = cfg.Datasets.Test.FirstOrDefault() ?? cfg.Datasets.Train.FirstOrDefault();
        if (name is null)
        {
            unavailable.Add("no DATASETS.TEST or DATASETS.TRAIN");
            return null;
        }
        CocoDetectionDataset dataset;
        try { dataset = CocoDetectionDataset.Open(DatasetCatalog.Create(cfg.PathsCatalog).Get(name), forTraining: false); }
        catch (Exception e) when (e is ConfigException or DataException or IOException or UnauthorizedAccessException)
        {
            unavailable.Add($"dataset {name}: {e.Message}");
            return null;
        }
        if (dataset.NumClasses == cfg.Model.NumClasses) return DetectionCategories.Of(dataset);
        note?.Invoke($"dataset {name} has {dataset.NumClasses - 1} categories but {cfg.Model.NumClassesKey} is {cfg.Model.NumClasses} " +
                     "(background included); not using its names");
        return null;
    }

    /// <summary>For eval, which takes categories from the dataset evaluated (its ground truth defines the ids): a warning
    /// when the checkpoint recorded other ones, naming both; null when they agree or the checkpoint recorded none.</summary>
    public static string? DatasetMismatch(LoadReport? weights, CocoDetectionDataset dataset)
    {
        if (weights is null || CheckpointCategories.Read(weights.Source, weights.Metadata) is not { } recorded) return null;
        var trained = DetectionCategories.Of(recorded, weights.Source);
        var evaluated = DetectionCategories.Of(dataset);
        if (trained.SameAs(evaluated)) return null;
        int label = Enumerable.Range(1, Math.Min(trained.NumClasses, evaluated.NumClasses) - 1)
            .FirstOrDefault(l => trained.CategoryOfLabel[l] != evaluated.CategoryOfLabel[l] || trained.ClassNames[l] != evaluated.ClassNames[l]);
        string first = label == 0 ? "" : $"label {label} is id {trained.CategoryOfLabel[label]} '{trained.ClassNames[label]}' in the checkpoint, " +
                                         $"id {evaluated.CategoryOfLabel[label]} '{evaluated.ClassNames[label]}' in the dataset; ";
        return $"checkpoint {weights.Source} was trained on other categories than dataset {dataset.Name} has ({first}{trained.NumClasses - 1} vs " +
               $"{evaluated.NumClasses - 1} categories); results take {dataset.Name}'s category ids, as its ground truth defines them";
    }
}
