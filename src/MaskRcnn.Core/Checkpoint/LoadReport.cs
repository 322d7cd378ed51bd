using System.Text;
using MaskRcnn.Checkpoint.Naming;

namespace MaskRcnn.Checkpoint;

/// <summary>What loading a weight file into a model did, name by name; <see cref="Format"/> prints it as a table.</summary>
public sealed class LoadReport
{
    public required string Source { get; init; }
    public required WeightScheme Scheme { get; init; }

    /// <summary>The file's metadata as stored (empty when it has none, or the weights did not come from a file).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Model names filled from the file.</summary>
    public required IReadOnlyList<string> Loaded { get; init; }

    /// <summary>File names that were renamed to ours on the way (counted, for the table).</summary>
    public required int Renamed { get; init; }

    /// <summary>Model names the file lacks: an error.</summary>
    public required IReadOnlyList<string> Missing { get; init; }

    /// <summary>Model names the file lacks that may be absent (class-specific layers, BatchNorm counters): left as initialised.</summary>
    public required IReadOnlyList<string> LeftInitialised { get; init; }

    /// <summary>Batch-norm statistics the file has folded into scale and bias (Caffe2's): set to mean 0 and variance 1.</summary>
    public IReadOnlyList<string> Filled { get; init; } = [];

    /// <summary>Whether the file holds only a backbone body (ImageNet weights): everything outside it keeps its initialisation.</summary>
    public bool BodyOnly { get; init; }

    /// <summary>File names (as in the file) the model has no place for, including names the scheme's map does not know.</summary>
    public required IReadOnlyList<string> Unexpected { get; init; }

    public required IReadOnlyList<ShapeMismatch> ShapeMismatches { get; init; }

    /// <summary>Model names of a floating-point type whose file tensor is not one: an error.</summary>
    public required IReadOnlyList<DtypeMismatch> DtypeMismatches { get; init; }

    /// <summary>File names deliberately not loaded, with the reason.</summary>
    public required IReadOnlyList<NameMapping> Ignored { get; init; }

    public IEnumerable<ShapeMismatch> Skipped => ShapeMismatches.Where(m => m.Skipped);
    public IEnumerable<ShapeMismatch> Errors => ShapeMismatches.Where(m => !m.Skipped);

    public bool Succeeded => Missing.Count == 0 && !Errors.Any() && DtypeMismatches.Count == 0;

    /// <summary>One line per thing the user should know even when loading succeeded.</summary>
    public IEnumerable<string> Warnings =>
        (BodyOnly ? [$"{Source} holds only a backbone body ({Loaded.Count} tensors loaded); the other {LeftInitialised.Count} model tensors keep their initialisation"] : Array.Empty<string>())
        .Concat(Skipped.Select(m => $"shape differs in class-specific layer, left as initialised (fine-tuning to other classes): {m}")
            .Concat(LeftInitialised.Where(ClassSpecificWeights.Contains).Select(n => $"not in the file, left as initialised: {n}"))
            .Concat(Unexpected.Select(n => $"not in the model, not loaded: {n}")));

    /// <summary>The errors in one line, for an exception message.</summary>
    public string ErrorSummary()
    {
        var parts = new List<string>();
        if (Missing.Count > 0) parts.Add($"{Missing.Count} missing ({Few(Missing)})");
        var errors = Errors.ToList();
        if (errors.Count > 0) parts.Add($"{errors.Count} with another shape ({Few(errors.Select(e => e.ToString()).ToList())})");
        if (DtypeMismatches.Count > 0)
            parts.Add($"{DtypeMismatches.Count} not floating-point where the model's are ({Few(DtypeMismatches.Select(e => e.ToString()).ToList())})");
        return string.Join("; ", parts);
    }

    static string Few(IReadOnlyList<string> items) =>
        string.Join(", ", items.Take(4)) + (items.Count > 4 ? $", and {items.Count - 4} more" : "");

    /// <summary>Counts, then the names in every category but the loaded ones; ignored names by reason unless <paramref name="listIgnored"/>.</summary>
    public string Format(bool listIgnored = false)
    {
        var text = new StringBuilder();
        text.Append($"weights {Source} ({Scheme.Name()} names{(BodyOnly ? ", backbone body only" : "")})\n");
        var rows = new (string Label, int Count)[]
        {
            ("loaded", Loaded.Count),
            ("  of which renamed", Renamed),
            ("missing (error)", Missing.Count),
            ("shape differs (error)", Errors.Count()),
            ("not floating-point (error)", DtypeMismatches.Count),
            ("shape differs, class-specific, skipped", Skipped.Count()),
            ("not in the file, left as initialised", LeftInitialised.Count),
            ("norm statistics set to 0/1 (folded)", Filled.Count),
            ("not in the model (unexpected)", Unexpected.Count),
            ("ignored", Ignored.Count),
        };
        var width = rows.Max(r => r.Label.Length);
        foreach (var (label, count) in rows) text.Append($"  {label.PadRight(width)}  {count,6}\n");
        Section(text, "missing (error)", Missing);
        Section(text, "shape differs (error)", Errors.Select(e => e.ToString()).ToList());
        Section(text, "not floating-point (error)", DtypeMismatches.Select(e => e.ToString()).ToList());
        Section(text, "shape differs, class-specific, skipped", Skipped.Select(e => e.ToString()).ToList());
        Section(text, "not in the file, left as initialised", LeftInitialised);
        Section(text, "not in the model (unexpected)", Unexpected);
        if (listIgnored) Section(text, "ignored", Ignored.Select(i => $"{i.Source} ({i.Reason})").ToList());
        else Section(text, "ignored", Ignored.GroupBy(i => i.Reason).Select(g => $"{g.Count()} × {g.Key}").ToList());
        return text.ToString();
    }

    static void Section(StringBuilder text, string title, IReadOnlyList<string> names)
    {
        if (names.Count == 0) return;
        text.Append($"{title}:\n");
        foreach (var name in names) text.Append($"  {name}\n");
    }

    public override string ToString() => Format();
}
