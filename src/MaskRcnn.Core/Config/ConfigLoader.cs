using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MaskRcnn.Config;

/// <summary>
/// Builds a <see cref="MaskRcnnConfig"/> the way maskrcnn-benchmark's tools do: defaults, then the
/// YAML file (yacs merge semantics), then <c>KEY VALUE</c> overrides from the command line. A YAML
/// file may start from another with <c>_BASE_: other.yaml</c> (a path relative to it), as in detectron2. A config
/// is a file path or the name of a config shipped with the tool (<see cref="ShippedConfigs"/>).
/// </summary>
public static class ConfigLoader
{
    public const string BaseKey = "_BASE_";
    public const string CommandLine = "command line";

    /// <summary>Loads and validates: any problem is a <see cref="ConfigException"/> with a one-line message.</summary>
    public static MaskRcnnConfig Load(string? configFile, IReadOnlyList<string>? overrides = null)
    {
        var cfg = new MaskRcnnConfig();
        if (configFile is not null) MergeFile(cfg, configFile);
        if (overrides is { Count: > 0 }) ApplyOverrides(cfg, overrides);
        ConfigSupport.Check(cfg, configFile);
        return cfg;
    }

    /// <summary>Merges a config file, or a shipped config by name (<see cref="ConfigSource.Find"/>), bases first.</summary>
    public static void MergeFile(ConfigSection cfg, string path) => MergeFile(cfg, ConfigSource.Find(path), path, []);

    static void MergeFile(ConfigSection cfg, ConfigSource source, string origin, HashSet<string> chain)
    {
        if (!chain.Add(source.Identity)) throw new ConfigException($"{origin}: {BaseKey} chain loops back to this file");
        var root = ParseRoot(source.ReadText(), origin);
        if (root is not null)
        {
            foreach (var (keyNode, valueNode) in root.Children)
                if (KeyOf(keyNode, origin) == BaseKey)
                {
                    if (valueNode is not YamlScalarNode { Value: { Length: > 0 } basePath })
                        throw new ConfigException($"{origin}: {BaseKey} must name a YAML file");
                    var baseSource = source.Base(basePath, origin);
                    MergeFile(cfg, baseSource, baseSource.ToString(), chain);
                }
            MergeMapping(cfg, root, "", origin, isRoot: true);
        }
        chain.Remove(source.Identity);
    }

    /// <summary>Merges YAML text into <paramref name="cfg"/>; <paramref name="origin"/> names it in errors. No _BASE_ here.</summary>
    public static void MergeYaml(ConfigSection cfg, string yaml, string origin)
    {
        var root = ParseRoot(yaml, origin);
        if (root is not null) MergeMapping(cfg, root, "", origin, isRoot: false);
    }

    static YamlMappingNode? ParseRoot(string text, string origin)
    {
        var stream = new YamlStream();
        try { stream.Load(new StringReader(text)); }
        catch (YamlException e) { throw new ConfigException($"{origin}: invalid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}"); }
        if (stream.Documents.Count == 0) return null;
        // PyYAML's safe_load (yacs) refuses a stream of several documents; taking one of them would drop the others' keys.
        if (stream.Documents.Count > 1)
            throw new ConfigException($"{origin}: holds {stream.Documents.Count} YAML documents (separated by '---'); a config is one document");
        return stream.Documents[0].RootNode switch
        {
            YamlMappingNode m => m,
            YamlScalarNode { Value: null or "" } => null,
            _ => throw new ConfigException($"{origin}: expected a mapping of config keys at the top level"),
        };
    }

    static string KeyOf(YamlNode node, string origin) => node is YamlScalarNode { Value: { } k }
        ? k : throw new ConfigException($"{origin}: line {node.Start.Line}: config keys must be plain names");

    static void MergeMapping(ConfigSection section, YamlMappingNode mapping, string prefix, string origin, bool isRoot)
    {
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = KeyOf(keyNode, origin);
            if (isRoot && key == BaseKey) continue;
            var full = prefix + key;
            var entry = section.Find(key) ?? throw UnknownKey(full, origin);
            if (entry.IsSection)
            {
                if (valueNode is not YamlMappingNode inner)
                {
                    if (valueNode is YamlScalarNode { Value: null or "" }) continue; // "SECTION:" with nothing below
                    throw new ConfigException($"{origin}: {full} is a section; give its keys below it");
                }
                MergeMapping((ConfigSection)section.Get(entry)!, inner, full + ".", origin, isRoot: false);
            }
            else
            {
                if (valueNode is YamlMappingNode)
                    throw new ConfigException($"{origin}: {full} is a value, not a section");
                section.Set(entry, ConfigValueConverter.Convert(ToRaw(valueNode), entry.ValueType, full, origin));
            }
        }
    }

    static RawValue ToRaw(YamlNode node) => node switch
    {
        YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any } s => RawValue.FromPlainText(s.Value ?? ""),
        YamlScalarNode s => RawValue.Quoted(s.Value ?? ""),
        YamlSequenceNode seq => new RawValue(new PySequence(seq.Children.Select(c => ToRaw(c).Parsed).ToList(), IsTuple: false), null),
        _ => new RawValue(null, null),
    };

    /// <summary>Applies maskrcnn-benchmark style overrides: <c>SOLVER.BASE_LR 0.01 MODEL.DEVICE cpu</c>.</summary>
    public static void ApplyOverrides(ConfigSection cfg, IReadOnlyList<string> pairs)
    {
        if (pairs.Count % 2 != 0)
            throw new ConfigException($"{CommandLine}: overrides come as KEY VALUE pairs; {pairs[^1]} has no value");
        for (int i = 0; i < pairs.Count; i += 2)
        {
            var (section, entry) = Resolve(cfg, pairs[i], CommandLine);
            section.Set(entry, ConfigValueConverter.Convert(RawValue.FromPlainText(pairs[i + 1]), entry.ValueType, pairs[i], CommandLine));
        }
    }

    /// <summary>Finds the value key named by a full dotted key such as <c>MODEL.RPN.NMS_THRESH</c>.</summary>
    public static (ConfigSection Section, ConfigEntry Entry) Resolve(ConfigSection cfg, string fullKey, string origin)
    {
        var parts = fullKey.Split('.');
        var section = cfg;
        for (int i = 0; i < parts.Length; i++)
        {
            var entry = section.Find(parts[i]) ?? throw UnknownKey(fullKey, origin);
            if (i == parts.Length - 1)
                return entry.IsSection ? throw new ConfigException($"{origin}: {fullKey} is a section; name one of its keys") : (section, entry);
            if (!entry.IsSection) throw UnknownKey(fullKey, origin);
            section = (ConfigSection)section.Get(entry)!;
        }
        throw UnknownKey(fullKey, origin);
    }

    static ConfigException UnknownKey(string fullKey, string origin) =>
        new($"{origin}: unknown config key {fullKey}{DidYouMean.Hint(fullKey, AllKeys.Value)}");

    // Every value key and every section key (MODEL, MODEL.RPN, ...), for suggestions.
    static readonly Lazy<IReadOnlyList<string>> AllKeys = new(() => new MaskRcnnConfig().Flatten()
        .SelectMany(kv => kv.Key.Split('.').Select((_, i) => string.Join('.', kv.Key.Split('.').Take(i + 1))))
        .Distinct().ToList());
}
