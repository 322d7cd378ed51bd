using System.Globalization;
using System.Reflection;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.SafeTensors;
using MaskRcnn.WeightFiles;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Checkpoint;

/// <summary>
/// This tool's checkpoints: one safetensors file holding the model's parameters and persistent buffers under
/// their own names, the extras under <c>extra/</c>, and metadata naming the format, its version and the naming
/// scheme (<see cref="CheckpointFormat"/>). Written atomically: a failure while saving leaves the previous file.
/// </summary>
public static class CheckpointFile
{
    public static void Save(string path, nn.Module module, CheckpointExtras? extras = null) =>
        SaveWeights(path, module.state_dict(), extras);

    /// <summary>Saves weights already under our names (a model's state dict, or converted weights).</summary>
    public static void SaveWeights(string path, IEnumerable<KeyValuePair<string, Tensor>> weights, CheckpointExtras? extras = null,
        IReadOnlyDictionary<string, string>? provenance = null)
    {
        extras ??= new CheckpointExtras();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [CheckpointFormat.FormatKey] = CheckpointFormat.FormatName,
            [CheckpointFormat.VersionKey] = CheckpointFormat.Version.ToString(CultureInfo.InvariantCulture),
            [CheckpointFormat.SchemeKey] = WeightSchemeNames.MaskRcnn,
            [CheckpointFormat.ProducerKey] = Producer,
        };
        if (extras.Iteration is { } iteration) metadata[CheckpointFormat.IterationKey] = iteration.ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in provenance ?? new Dictionary<string, string>())
            if (!metadata.TryAdd(key, value)) throw new ArgumentException($"checkpoint metadata key '{key}' is reserved");
        foreach (var (key, value) in extras.Metadata) metadata[CheckpointFormat.ExtraPrefix + CheckExtraName(key)] = value;

        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, tensor) in weights)
        {
            if (name.StartsWith(CheckpointFormat.ExtraPrefix, StringComparison.Ordinal))
                throw new ArgumentException($"model weight name '{name}' collides with the extras' prefix {CheckpointFormat.ExtraPrefix}");
            tensors.Add(new(name, tensor));
        }
        foreach (var (name, tensor) in extras.Tensors) tensors.Add(new(CheckpointFormat.ExtraPrefix + CheckExtraName(name), tensor));
        SafeTensorsWriter.Write(path, tensors, metadata);
    }

    /// <summary>Loads a checkpoint of ours into <paramref name="module"/> (strictly, as <see cref="WeightLoader"/>: the header is
    /// checked against the model before any data is read) and returns its extras.</summary>
    public static LoadedCheckpoint Load(string path, nn.Module module)
    {
        using var file = SafeTensorsFile.Open(path);
        var version = CheckpointFormat.CheckReadable(path, file.Metadata);
        long? iteration = null;
        if (file.Metadata.TryGetValue(CheckpointFormat.IterationKey, out var text))
            iteration = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var i)
                ? i : throw new WeightFileException($"{path}: checkpoint metadata {CheckpointFormat.IterationKey} '{text}' is not a non-negative integer");
        var extraMetadata = file.Metadata.Where(m => m.Key.StartsWith(CheckpointFormat.ExtraPrefix, StringComparison.Ordinal))
            .ToDictionary(m => m.Key[CheckpointFormat.ExtraPrefix.Length..], m => m.Value, StringComparer.Ordinal);

        var extras = file.Tensors.ToLookup(t => t.Name.StartsWith(CheckpointFormat.ExtraPrefix, StringComparison.Ordinal));
        var names = MappedNames.Of(path, extras[false].Select(t => t.Name).ToList(), file.Metadata, WeightScheme.MaskRcnn);
        var report = WeightLoader.Load(module, WeightFile.From(file), names);
        var extraTensors = new StateDict();
        try
        {
            foreach (var info in extras[true]) extraTensors.Add(info.Name[CheckpointFormat.ExtraPrefix.Length..], file.Read(info));
        }
        catch
        {
            extraTensors.Dispose();
            throw;
        }
        return new LoadedCheckpoint(report, version, iteration, extraTensors, extraMetadata);
    }

    static string CheckExtraName(string name) =>
        string.IsNullOrEmpty(name) ? throw new ArgumentException("checkpoint extras need non-empty names") : name;

    static string Producer { get; } = "maskrcnn " + (typeof(CheckpointFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown");
}
