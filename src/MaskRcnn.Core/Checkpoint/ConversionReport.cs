using System.Text;
using MaskRcnn.Checkpoint.Naming;

namespace MaskRcnn.Checkpoint;

/// <summary>
/// What <see cref="WeightConversion.Convert"/> did to every name, printable as a table with the names: the input's names
/// to ours (<see cref="ToOurs"/>), then, when writing another implementation's names, ours to theirs (<see cref="Exported"/>).
/// </summary>
public sealed record ConversionReport(
    string Input, string Output, WeightScheme From, WeightScheme To,
    IReadOnlyList<NameMapping> ToOurs, IReadOnlyList<NameMapping> Exported, IReadOnlyList<string> Added, int Written)
{
    /// <summary>Whether the output is under another implementation's names (torchvision's, dbolya/yolact's) rather than ours.</summary>
    bool IsExport => To is WeightScheme.Torchvision or WeightScheme.Yolact;

    public IEnumerable<NameMapping> Unknown => ToOurs.Where(m => m.Kind == NameMappingKind.Unknown);

    public string Format()
    {
        var text = new StringBuilder();
        text.Append($"converted {Input} ({From.Name()} names) -> {Output} ({To.Name()} names)\n");
        int Count(NameMappingKind kind) => ToOurs.Count(m => m.Kind == kind);
        var rows = new List<(string, int)>
        {
            ("tensors in the input", ToOurs.Count),
            ("renamed to ours", Count(NameMappingKind.Renamed)),
            ("same name as ours", Count(NameMappingKind.Kept)),
            ("ignored", Count(NameMappingKind.Ignored)),
            ("unknown, not written", Count(NameMappingKind.Unknown)),
        };
        var exportedTo = $"renamed to {To.Name()}'s";
        if (IsExport)
        {
            rows.Add((exportedTo, Exported.Count(m => m.Kind == NameMappingKind.Renamed)));
            rows.Add(("added (BatchNorm counters)", Added.Count));
        }
        rows.Add(("tensors written", Written));
        var width = rows.Max(r => r.Item1.Length);
        foreach (var (label, count) in rows) text.Append($"  {label.PadRight(width)}  {count,6}\n");
        Section(text, "renamed to ours", ToOurs.Where(m => m.Kind == NameMappingKind.Renamed).Select(m => $"{m.Source} -> {m.Target}"));
        Section(text, "ignored", ToOurs.Where(m => m.Kind == NameMappingKind.Ignored).Select(m => $"{m.Source} ({m.Reason})"));
        Section(text, "unknown, not written", Unknown.Select(m => m.Source));
        Section(text, exportedTo, Exported.Where(m => m.Kind == NameMappingKind.Renamed).Select(m => $"{m.Source} -> {m.Target}"));
        Section(text, "added", Added.Select(n => $"{n} = 0"));
        if (From == WeightScheme.Torchvision && To != WeightScheme.Torchvision) text.Append($"note: {WeightConversion.TorchvisionConfigNote}\n");
        if (From == WeightScheme.Yolact && To != WeightScheme.Yolact) text.Append($"note: {WeightConversion.YolactConfigNote}\n");
        return text.ToString();
    }

    static void Section(StringBuilder text, string title, IEnumerable<string> lines)
    {
        var list = lines.ToList();
        if (list.Count == 0) return;
        text.Append($"{title}:\n");
        foreach (var line in list) text.Append($"  {line}\n");
    }
}
