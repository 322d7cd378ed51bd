using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.SafeTensors;
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
        using var file = SafeTensorsFile.Open(path);
        return Load(module, file, MappedNames.Of(path, file.Tensors.Select(t => t.Name).ToList(), file.Metadata, scheme));
    }

    /// <summary>
    /// Loads from an open file: its header (names, shapes, dtypes) is checked against the model before any data is
    /// read, so a file that does not fit costs nothing however large; then the loaded tensors are read one at a time.
    /// </summary>
    public static LoadReport Load(nn.Module module, SafeTensorsFile file, MappedNames names)
    {
        var offered = names.SourceOf.ToDictionary(e => e.Key, e => (file.Header.ByName[e.Value].Shape, file.Header.ByName[e.Value].Type),
            StringComparer.Ordinal);
        var (report, targets) = Check(module, file.Path, names.Scheme, offered, names.Mappings, file.Metadata);
        using (torch.no_grad())
            foreach (var name in report.Loaded)
            {
                using var tensor = file.Read(names.SourceOf[name]);
                targets[name].copy_(tensor);
            }
        return report;
    }

    /// <summary>Loads converted weights; throws <see cref="WeightLoadException"/> (copying nothing) when they do not fit.</summary>
    public static LoadReport Load(nn.Module module, ConvertedWeights weights)
    {
        var offered = weights.Weights.ToDictionary(e => e.Key, e => (e.Value.shape, e.Value.dtype), StringComparer.Ordinal);
        var (report, targets) = Check(module, weights.Source, weights.Scheme, offered, weights.Mappings);
        using (torch.no_grad())
            foreach (var name in report.Loaded) targets[name].copy_(weights.Weights[name]);
        return report;
    }

    // The report of what would load, from shapes and dtypes alone; throws when the weights do not fit.
    static (LoadReport Report, Dictionary<string, Tensor> Targets) Check(nn.Module module, string source, WeightScheme scheme,
        IReadOnlyDictionary<string, (long[] Shape, ScalarType Type)> offered, IReadOnlyList<NameMapping> mappings,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var targets = module.state_dict();
        var loaded = new List<string>();
        var missing = new List<string>();
        var leftInitialised = new List<string>();
        var shapeMismatches = new List<ShapeMismatch>();
        var dtypeMismatches = new List<DtypeMismatch>();
        foreach (var (name, target) in targets)
        {
            if (!offered.TryGetValue(name, out var weight))
            {
                (MayBeAbsent(name) ? leftInitialised : missing).Add(name);
                continue;
            }
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
        var renamedTo = mappings.Where(m => m.Target is not null).ToDictionary(m => m.Target!, m => m, StringComparer.Ordinal);
        // Under the file's names, in file order: mapped names the model lacks, then names the scheme does not know.
        var unexpected = mappings.Where(m => m.Target is { } target && !targets.ContainsKey(target)).Select(m => m.Source)
            .Concat(mappings.Where(m => m.Kind == NameMappingKind.Unknown).Select(m => m.Source)).ToList();
        var report = new LoadReport
        {
            Source = source,
            Scheme = scheme,
            Loaded = loaded,
            Renamed = loaded.Count(n => renamedTo.TryGetValue(n, out var m) && m.Kind == NameMappingKind.Renamed),
            Missing = missing,
            LeftInitialised = leftInitialised,
            Unexpected = unexpected,
            ShapeMismatches = shapeMismatches,
            DtypeMismatches = dtypeMismatches,
            Ignored = mappings.Where(m => m.Kind == NameMappingKind.Ignored).ToList(),
            Metadata = metadata ?? new Dictionary<string, string>(),
        };
        return report.Succeeded ? (report, targets) : throw new WeightLoadException(report);
    }

    static bool IsFloatingPoint(ScalarType type) =>
        type is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

    static bool MayBeAbsent(string name) =>
        ClassSpecificWeights.Contains(name) || name.EndsWith("." + TorchvisionNames.BatchNormCounter, StringComparison.Ordinal);
}
