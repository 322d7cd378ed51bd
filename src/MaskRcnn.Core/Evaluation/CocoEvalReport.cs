using System.Globalization;
using System.Text;
using System.Text.Json;
using MaskRcnn.Data.Coco;
using MaskRcnn.IO;

namespace MaskRcnn.Evaluation;

/// <summary>
/// What an evaluation tells a person and a program: pycocotools' summary table and a per-category AP table as
/// text, and every number (the stats, per-category APs, AP and recall per IoU threshold) at full double precision
/// as JSON. −1 means "undefined" (no ground truth in that category or area range), as in pycocotools.
/// </summary>
public static class CocoEvalReport
{
    public static string Text(CocoEvaluation evaluation, CocoFile groundTruth)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Evaluate annotation type *{evaluation.IouType.Name()}*\n");
        text.Append(CocoSummary.Format(evaluation));
        text.Append(CategoryTable(evaluation, groundTruth));
        return text.ToString();
    }

    /// <summary>Per-category AP, AP50, AP75, APs (not for keypoints), APm, APl in percent ("-" where a category has no
    /// ground truth).</summary>
    public static string CategoryTable(CocoEvaluation evaluation, CocoFile groundTruth)
    {
        var names = groundTruth.Categories.GroupBy(c => c.Id).ToDictionary(g => g.Key, g => g.First().Name);
        string[] headers = ["category", "id", .. evaluation.ApDefinitions.Select(d => d.Name)];
        var rows = new List<string[]>();
        for (int k = 0; k < evaluation.K; k++)
        {
            long id = evaluation.CategoryIds[k];
            var aps = evaluation.CategoryAps(k);
            rows.Add([names.GetValueOrDefault(id, "?"), id.ToString(CultureInfo.InvariantCulture), .. aps.Select(Percent)]);
        }
        var widths = headers.Select((h, c) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[c].Length))).ToArray();
        var text = new StringBuilder("\nPer-category AP (%):\n");
        void Row(string[] cells) => text.Append("| ").AppendJoin(" | ", cells.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).Append(" |\n");
        Row(headers);
        text.Append('|').AppendJoin('|', widths.Select((w, c) => c == 0 ? new string('-', w + 2) : new string('-', w + 1) + ":")).Append("|\n");
        foreach (var row in rows) Row(row);
        return text.ToString();
    }

    static string Percent(double value) => value < 0 ? "-" : (100 * value).ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>Writes every number of the evaluations (one per IoU type) to a JSON file, atomically.</summary>
    public static void WriteJson(string path, IReadOnlyList<CocoEvaluation> evaluations, CocoFile groundTruth, string resultsSource)
    {
        var names = groundTruth.Categories.GroupBy(c => c.Id).ToDictionary(g => g.Key, g => g.First().Name);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        AtomicFile.Write(path, stream =>
        {
            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            json.WriteStartObject();
            json.WriteString("ground_truth", groundTruth.Path);
            json.WriteString("results", resultsSource);
            json.WriteNumber("images", groundTruth.Images.Count);
            foreach (var e in evaluations)
            {
                json.WriteStartObject(e.IouType.Name());
                json.WriteStartObject("stats");
                for (int i = 0; i < e.Definitions.Count; i++) json.WriteNumber(e.Definitions[i].Name, e.Stats[i]);
                json.WriteEndObject();
                json.WriteStartArray("per_category");
                for (int k = 0; k < e.K; k++)
                {
                    json.WriteStartObject();
                    json.WriteNumber("id", e.CategoryIds[k]);
                    json.WriteString("name", names.GetValueOrDefault(e.CategoryIds[k], "?"));
                    var aps = e.CategoryAps(k);
                    var apDefinitions = e.ApDefinitions;
                    for (int i = 0; i < aps.Length; i++) json.WriteNumber(apDefinitions[i].Name, aps[i]);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                WriteNumbers(json, "iou_thresholds", e.Params.IouThresholds);
                // AP (all areas, most detections: 100, 20 for keypoints) and AR there at each IoU threshold: the curve behind AP@[.5:.95].
                int maxDets = e.Params.MaxDets.Max();
                WriteNumbers(json, "ap_per_iou", Enumerable.Range(0, e.T).Select(t =>
                    e.Summarize(new CocoStatDefinition("AP", true, e.Params.IouThresholds[t], "all", maxDets), null)));
                WriteNumbers(json, "recall_per_iou", Enumerable.Range(0, e.T).Select(t =>
                    e.Summarize(new CocoStatDefinition("AR", false, e.Params.IouThresholds[t], "all", maxDets), null)));
                json.WriteEndObject();
            }
            json.WriteEndObject();
        });
    }

    static void WriteNumbers(Utf8JsonWriter json, string name, IEnumerable<double> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values) json.WriteNumberValue(v);
        json.WriteEndArray();
    }
}
