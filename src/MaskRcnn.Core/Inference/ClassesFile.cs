using MaskRcnn.Config;
using MaskRcnn.Data;
using MaskRcnn.Data.Coco;

namespace MaskRcnn.Inference;

/// <summary>
/// <c>predict --classes FILE</c>: class names given by hand. A <c>.json</c> file is read as COCO, its <c>categories</c>
/// giving ids and names, laid out as the model's labels must be: in sorted id order when there is one per label (as
/// maskrcnn-benchmark maps a dataset), else by id when the highest id is the last label (torchvision's layout, unused
/// ids named "N/A"). Any other file is one name per line for labels 1..K, with category ids 1..K; blank lines are
/// skipped and names trimmed. Either must fit <c>NUM_CLASSES</c>, or it is a one-line error naming the file and both counts.
/// </summary>
public static class ClassesFile
{
    public static DetectionCategories Load(string path, ModelConfig model)
    {
        var source = $"classes file {path}";
        if (string.Equals(Path.GetExtension(path), ".json", StringComparison.OrdinalIgnoreCase))
        {
            using var doc = CocoJson.Load(path, "classes file");
            return FromCoco(CocoFile.ParseCategories(doc.RootElement, path), path, model, source);
        }
        if (!File.Exists(path)) throw new DataException($"classes file not found: {path}");
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataException($"classes file {path} cannot be read: {e.Message}");
        }
        var names = lines.Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (names.Count != model.NumClasses - 1)
            throw new DataException($"{path}: {names.Count} class names, but {model.NumClassesKey} {model.NumClasses} means " +
                                    $"{model.NumClasses - 1} (background is not listed)");
        return new([.. Enumerable.Range(0, names.Count + 1).Select(i => (long)i)], ["__background", .. names], source);
    }

    static DetectionCategories FromCoco(IReadOnlyList<CocoCategory> categories, string path, ModelConfig model, string source)
    {
        var sorted = categories.OrderBy(c => c.Id).ToList();
        int numClasses = model.NumClasses;
        if (sorted.Count + 1 == numClasses)
            return new([0, .. sorted.Select(c => c.Id)], ["__background", .. sorted.Select(c => c.Name)], source);
        if (sorted.Count > 0 && sorted[0].Id >= 1 && sorted[^1].Id + 1 == numClasses)
        {
            var byId = sorted.ToDictionary(c => c.Id, c => c.Name);
            return new([.. Enumerable.Range(0, numClasses).Select(i => (long)i)],
                [.. Enumerable.Range(0, numClasses).Select(i => i == 0 ? "__background" : byId.GetValueOrDefault(i, CocoCategoryNames.Unused))], source);
        }
        string highest = sorted.Count > 0 ? $" (highest id {sorted[^1].Id})" : "";
        throw new DataException($"{path}: {sorted.Count} categories{highest} fit neither {model.NumClassesKey} {numClasses} label by label " +
                                $"({numClasses - 1} categories) nor by id (highest id {numClasses - 1})");
    }
}
