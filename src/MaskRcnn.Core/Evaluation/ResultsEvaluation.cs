using System.Diagnostics;
using System.Globalization;
using MaskRcnn.Data.Coco;

namespace MaskRcnn.Evaluation;

/// <summary>
/// Scores detections against a ground truth for each requested IoU type, prints pycocotools' table and the
/// per-category table, and writes all numbers to a JSON file. Used by <c>maskrcnn eval</c> in both modes.
/// </summary>
public static class ResultsEvaluation
{
    /// <param name="imageIds">The images to score (null: all of the ground truth's).</param>
    public static IReadOnlyList<CocoEvaluation> Run(CocoFile groundTruth, IReadOnlyList<(IouType Type, CocoResultSet Results)> inputs, string jsonPath,
        TextWriter output, IReadOnlyList<long>? imageIds = null)
    {
        var known = groundTruth.Categories.Select(c => c.Id).ToHashSet();
        // pycocotools drops these silently; a user whose category ids are off by a mapping should hear of it (once per
        // results set, though both IoU types may score it).
        foreach (var results in inputs.Select(i => i.Results).Distinct())
        {
            var unknown = results.Results.Where(r => !known.Contains(r.CategoryId)).GroupBy(r => r.CategoryId).OrderBy(g => g.Key).ToList();
            if (unknown.Count > 0)
                output.WriteLine($"note: {unknown.Sum(g => g.Count())} results of {results.Source} have category ids the ground truth does not " +
                                 $"have ({string.Join(", ", unknown.Take(10).Select(g => g.Key))}{(unknown.Count > 10 ? ", …" : "")}); they are left out, as pycocotools leaves them out");
        }
        var evaluations = new List<CocoEvaluation>();
        foreach (var (type, results) in inputs)
        {
            var clock = Stopwatch.StartNew();
            var evaluation = CocoEvaluator.Evaluate(groundTruth, results, type, CocoEvalParams.For(type) with { ImageIds = imageIds });
            output.Write(CocoEvalReport.Text(evaluation, groundTruth));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{type.Name()}: {results.Results.Count} detections on {evaluation.ImageIds.Count} images evaluated in {clock.Elapsed.TotalSeconds:F2} s\n"));
            evaluations.Add(evaluation);
        }
        CocoEvalReport.WriteJson(jsonPath, evaluations, groundTruth, string.Join(", ", inputs.Select(i => i.Results.Source).Distinct()));
        output.WriteLine($"all numbers: {jsonPath}");
        return evaluations;
    }

    /// <summary>Standalone mode: a results file from any detector, scored for each of <paramref name="types"/>.</summary>
    public static IReadOnlyList<CocoEvaluation> RunFiles(string groundTruthPath, string resultsPath, IReadOnlyList<IouType> types, string jsonPath, TextWriter output)
    {
        var groundTruth = CocoFile.Load(groundTruthPath);
        if (types.Contains(IouType.Segm))
            groundTruth.RequireSegmentations("segm evaluation scores every annotation's mask (use --iou-type bbox to score boxes only)");
        var results = CocoResultsFile.Load(resultsPath, groundTruth);
        if (types.Contains(IouType.Segm) && results.Results.Count > 0 && results.Results.All(r => r.Segmentation is null))
            throw new DataException($"{resultsPath}: no result has a 'segmentation'; segm evaluation needs masks (use --iou-type bbox)");
        if (types.Contains(IouType.Keypoints) && results.Results.Count > 0 && results.Results.All(r => r.Keypoints is null))
            throw new DataException($"{resultsPath}: no result has 'keypoints'; keypoints evaluation needs them (use --iou-type bbox)");
        return Run(groundTruth, types.Select(t => (t, results)).ToList(), jsonPath, output);
    }
}
