using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.SafeTensors;
using MaskRcnn.WeightFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Checkpoint;

/// <summary>
/// Copies weights (under our names) into a module's parameters and persistent buffers, in place, keeping the
/// module's devices and dtypes. Checks everything first and copies only when the weights fit: every model
/// name present with its shape, except class-specific layers (<see cref="ClassSpecificWeights"/>),
/// which may differ in shape or be absent, and BatchNorm step counters, which may be absent; and no integer or
/// boolean tensor for a floating-point parameter.
/// </summary>
public static class WeightLoader
{
    /// <summary>Reads a weight file of any scheme (detected unless given) and loads it into <paramref name="module"/>.</summary>
    public static LoadReport LoadFile(nn.Module module, string path, WeightScheme? scheme = null)
    {
        using var file = WeightFile.Open(path);
        return Load(module, file, MappedNames.Of(path, file.Entries.Select(t => t.Name).ToList(), file.Metadata, scheme));
    }

    /// <summary>
    /// Loads from an open file: its header (names, shapes, dtypes) is checked against the model before any data is
    /// read, so a file that does not fit costs nothing however large; then the loaded tensors are read one at a time.
    /// </summary>
    public static LoadReport Load(nn.Module module, IWeightFile file, MappedNames names)
    {
        var entries = file.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var offered = names.SourceOf.ToDictionary(e => e.Key, e => (entries[e.Value].Shape, entries[e.Value].Type), StringComparer.Ordinal);
        var (report, targets, from) = Check(module, file.Path, names.Scheme, offered, names.Mappings, file.Metadata);
        using (torch.no_grad())
        {
            foreach (var name in report.Loaded)
            {
                using var tensor = file.Read(names.SourceOf[from[name]]);
                targets[name].copy_(tensor);
            }
            Fill(report, targets);
        }
        return report;
    }

    /// <summary>Loads converted weights; throws <see cref="WeightLoadException"/> (copying nothing) when they do not fit.</summary>
    public static LoadReport Load(nn.Module module, ConvertedWeights weights)
    {
        var offered = weights.Weights.ToDictionary(e => e.Key, e => (e.Value.shape, e.Value.dtype), StringComparer.Ordinal);
        var (report, targets, from) = Check(module, weights.Source, weights.Scheme, offered, weights.Mappings, weights.Weights.Metadata);
        using (torch.no_grad())
        {
            foreach (var name in report.Loaded) targets[name].copy_(weights.Weights[from[name]]);
            Fill(report, targets);
        }
        return report;
    }

    // Batch-norm statistics a folded-norm file lacks: mean 0 and variance 1 make the stored scale and bias the whole transform.
    static void Fill(LoadReport report, Dictionary<string, Tensor> targets)
    {
        foreach (var name in report.Filled)
            targets[name].fill_(name.EndsWith(".running_var", StringComparison.Ordinal) ? 1 : 0);
    }

    // The report of what would load, from shapes and dtypes alone, and for each loaded model name the offered name it
    // comes from; throws when the weights do not fit.
    static (LoadReport Report, Dictionary<string, Tensor> Targets, Dictionary<string, string> From) Check(nn.Module module, string source,
        WeightScheme scheme, IReadOnlyDictionary<string, (long[] Shape, ScalarType Type)> offered, IReadOnlyList<NameMapping> mappings,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var targets = module.state_dict();
        var bodyOnly = BackboneWeights.IsBodyOnly(offered.Keys.ToList());
        var from = bodyOnly
            ? BackboneWeights.Place(targets.Keys, offered.Keys.ToList())
            : offered.Keys.Where(targets.ContainsKey).ToDictionary(n => n, n => n, StringComparer.Ordinal);
        var fpn = FpnLevelAlignment.Place(targets.Keys, offered.Keys.ToList());
        if (fpn.Count > 0)
        {
            foreach (var name in from.Keys.Where(n => n.StartsWith("backbone.fpn.fpn_", StringComparison.Ordinal)).ToList()) from.Remove(name);
            foreach (var (name, fileName) in fpn) from[name] = fileName;
        }
        var loaded = new List<string>();
        var missing = new List<string>();
        var leftInitialised = new List<string>();
        var filled = new List<string>();
        var shapeMismatches = new List<ShapeMismatch>();
        var dtypeMismatches = new List<DtypeMismatch>();
        foreach (var (name, target) in targets)
        {
            if (!from.TryGetValue(name, out var offeredName))
            {
                if (FoldedBatchNorm.IsStatisticOf(scheme, name, from)) filled.Add(name);
                else if (MayBeAbsent(name) || (bodyOnly && !BackboneWeights.Placed(name))) leftInitialised.Add(name);
                else missing.Add(name);
                continue;
            }
            var weight = offered[offeredName];
            if (!weight.Shape.SequenceEqual(target.shape))
            {
                shapeMismatches.Add(new ShapeMismatch(name, weight.Shape, target.shape, Skipped: ClassSpecificWeights.Contains(name)));
                continue;
            }
            if (IsFloatingPoint(target.dtype) && !IsFloatingPoint(weight.Type))
            {
                dtypeMismatches.Add(new DtypeMismatch(name, weight.Type, target.dtype));
                continue;
            }
            loaded.Add(name);
        }
        var used = from.Values.ToHashSet(StringComparer.Ordinal);
        var renamedTo = mappings.Where(m => m.Target is not null).ToDictionary(m => m.Target!, m => m, StringComparer.Ordinal);
        // Under the file's names, in file order: mapped names the model has no place for, then names the scheme does not know.
        var unexpected = mappings.Where(m => m.Target is { } target && !used.Contains(target)).Select(m => m.Source)
            .Concat(mappings.Where(m => m.Kind == NameMappingKind.Unknown).Select(m => m.Source)).ToList();
        var report = new LoadReport
        {
            Source = source,
            Scheme = scheme,
            Loaded = loaded,
            Renamed = loaded.Count(n => renamedTo.TryGetValue(from[n], out var m) && m.Kind == NameMappingKind.Renamed),
            Missing = missing,
            LeftInitialised = leftInitialised,
            Filled = filled,
            BodyOnly = bodyOnly,
            Unexpected = unexpected,
            ShapeMismatches = shapeMismatches,
            DtypeMismatches = dtypeMismatches,
            Ignored = mappings.Where(m => m.Kind == NameMappingKind.Ignored).ToList(),
            Metadata = metadata ?? new Dictionary<string, string>(),
        };
        return report.Succeeded ? (report, targets, from) : throw new WeightLoadException(report);
    }

    static bool IsFloatingPoint(ScalarType type) =>
        type is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

    static bool MayBeAbsent(string name) =>
        ClassSpecificWeights.Contains(name) || name.EndsWith("." + TorchvisionNames.BatchNormCounter, StringComparison.Ordinal);
}
