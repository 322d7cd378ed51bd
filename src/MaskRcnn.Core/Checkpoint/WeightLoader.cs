using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Checkpoint;

/// <summary>
/// Copies weights (under our names) into a module's parameters and persistent buffers, in place, keeping the
/// module's devices and dtypes. Checks everything first and copies only when the weights fit: every model
/// name present with its shape, except class-specific layers (<see cref="MaskRcnnBenchmarkNames.ClassSpecificLayers"/>),
/// which may differ in shape or be absent, and BatchNorm step counters, which may be absent.
/// </summary>
public static class WeightLoader
{
    /// <summary>Reads a weight file of any scheme (detected unless given) and loads it into <paramref name="module"/>.</summary>
    public static LoadReport LoadFile(nn.Module module, string path, WeightScheme? scheme = null)
    {
        using var converted = WeightNameConverter.ToOurs(path, SafeTensorsFile.Load(path), scheme);
        return Load(module, converted);
    }

    /// <summary>Loads converted weights; throws <see cref="WeightLoadException"/> (copying nothing) when they do not fit.</summary>
    public static LoadReport Load(nn.Module module, ConvertedWeights weights)
    {
        var targets = module.state_dict();
        var loaded = new List<string>();
        var missing = new List<string>();
        var leftInitialised = new List<string>();
        var mismatches = new List<ShapeMismatch>();
        foreach (var (name, target) in targets)
        {
            if (!weights.Weights.TryGet(name, out var source))
            {
                (MayBeAbsent(name) ? leftInitialised : missing).Add(name);
                continue;
            }
            if (!source.shape.SequenceEqual(target.shape))
            {
                mismatches.Add(new ShapeMismatch(name, source.shape, target.shape, Skipped: MaskRcnnBenchmarkNames.IsClassSpecific(name)));
                continue;
            }
            loaded.Add(name);
        }
        var renamedTo = weights.Mappings.Where(m => m.Target is not null).ToDictionary(m => m.Target!, m => m, StringComparer.Ordinal);
        var unexpected = weights.Weights.Names.Where(n => !targets.ContainsKey(n)).Select(n => renamedTo.TryGetValue(n, out var m) ? m.Source : n)
            .Concat(weights.OfKind(NameMappingKind.Unknown).Select(m => m.Source)).ToList();
        var report = new LoadReport
        {
            Source = weights.Source,
            Scheme = weights.Scheme,
            Loaded = loaded,
            Renamed = loaded.Count(n => renamedTo.TryGetValue(n, out var m) && m.Kind == NameMappingKind.Renamed),
            Missing = missing,
            LeftInitialised = leftInitialised,
            Unexpected = unexpected,
            ShapeMismatches = mismatches,
            Ignored = weights.OfKind(NameMappingKind.Ignored).ToList(),
        };
        if (!report.Succeeded) throw new WeightLoadException(report);
        using (torch.no_grad())
            foreach (var name in loaded) targets[name].copy_(weights.Weights[name]);
        return report;
    }

    static bool MayBeAbsent(string name) =>
        MaskRcnnBenchmarkNames.IsClassSpecific(name) || name.EndsWith("." + TorchvisionNames.BatchNormCounter, StringComparison.Ordinal);
}
