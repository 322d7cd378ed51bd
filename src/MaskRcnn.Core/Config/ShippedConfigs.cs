using System.Reflection;

namespace MaskRcnn.Config;

/// <summary>
/// The configs of the repository's <c>configs/</c> folder, embedded in this assembly so that an installed or published
/// tool has them wherever it runs. A shipped config is named by its path under <c>configs/</c>, with or without
/// <c>.yaml</c> (<c>coco/mask_rcnn_R_50_FPN_1x</c>, <c>e2e_mask_rcnn_R_50_FPN_1x.yaml</c>), as detectron2's
/// <c>model_zoo.get_config_file</c> names its own.
/// </summary>
public static class ShippedConfigs
{
    const string ResourcePrefix = "configs/";
    const string Extension = ".yaml";

    static readonly Assembly Home = typeof(ShippedConfigs).Assembly;

    // Shipped name (relative path with .yaml, '/' separators) -> manifest resource name.
    static readonly Lazy<IReadOnlyDictionary<string, string>> Resources = new(() => Home.GetManifestResourceNames()
        .Where(r => r.Replace('\\', '/').StartsWith(ResourcePrefix, StringComparison.Ordinal))
        .ToDictionary(r => r.Replace('\\', '/')[ResourcePrefix.Length..], r => r, StringComparer.Ordinal));

    /// <summary>Every shipped config, as <c>folder/name.yaml</c>, in ordinal order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Resources.Value.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The shipped name <paramref name="given"/> means (<c>.yaml</c> optional, a leading <c>configs/</c> or
    /// <c>./</c> ignored), or null when no shipped config has that name.</summary>
    public static string? Find(string given)
    {
        var name = given.Replace('\\', '/');
        while (name.StartsWith("./", StringComparison.Ordinal)) name = name[2..];
        if (name.StartsWith(ResourcePrefix, StringComparison.Ordinal)) name = name[ResourcePrefix.Length..];
        if (!name.EndsWith(Extension, StringComparison.Ordinal)) name += Extension;
        return Resources.Value.ContainsKey(name) ? name : null;
    }

    public static string ReadText(string name)
    {
        if (!Resources.Value.TryGetValue(name, out var resource)) throw new ConfigException($"no shipped config named {name}");
        using var stream = Home.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>What a config is: the first line of its header comment.</summary>
    public static string Describe(string name) =>
        ReadText(name).Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith('#'))?.TrimStart('#').Trim() ?? "";

    /// <summary>Every shipped config with what it is and, for a feature this tool does not have yet, what is missing.</summary>
    public static IReadOnlyList<ShippedConfigInfo> List() => Names.Select(name =>
    {
        string? missing = null;
        try { ConfigLoader.Load(name); }
        catch (ConfigNotSupportedException e) { missing = e.Feature; }
        return new ShippedConfigInfo(name[..^Extension.Length], Describe(name), missing);
    }).ToList();

    /// <summary>The shipped names closest to a name that matches none (by whole name and by file name), best first.</summary>
    public static IReadOnlyList<string> Nearest(string given, int count = 3)
    {
        var wanted = given.Replace('\\', '/').Replace(Extension, "");
        var file = wanted[(wanted.LastIndexOf('/') + 1)..];
        return Names
            .Select(n => (Name: n[..^Extension.Length], Distance: Math.Min(
                DidYouMean.Distance(wanted.ToUpperInvariant(), n[..^Extension.Length].ToUpperInvariant()),
                DidYouMean.Distance(file.ToUpperInvariant(), Path.GetFileNameWithoutExtension(n).ToUpperInvariant()))))
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal)
            .Take(count).Select(x => x.Name).ToList();
    }
}

/// <summary>One line of <c>maskrcnn config --list</c>: a shipped config's name (without <c>.yaml</c>), its header's first
/// line, and the feature it needs that this tool does not have yet (null when it runs).</summary>
public sealed record ShippedConfigInfo(string Name, string Description, string? NotSupported);
