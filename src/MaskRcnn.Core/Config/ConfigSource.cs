namespace MaskRcnn.Config;

/// <summary>
/// Where a config's text comes from: a file, or a config shipped inside the tool (<see cref="ShippedConfigs"/>).
/// A path that exists wins over a shipped name, so a user's own <c>coco/mask_rcnn_R_50_FPN_1x.yaml</c> is theirs.
/// </summary>
public sealed record ConfigSource
{
    /// <summary>A full file path, or null for a shipped config.</summary>
    public string? FilePath { get; private init; }

    /// <summary>The shipped name (<c>folder/name.yaml</c>), or null for a file.</summary>
    public string? ShippedName { get; private init; }

    /// <summary>Identifies the source in a <c>_BASE_</c> chain.</summary>
    public string Identity => FilePath ?? "shipped:" + ShippedName;

    /// <summary>The file, else the shipped config of that name; neither is a one-line error naming the nearest shipped configs.</summary>
    public static ConfigSource Find(string given)
    {
        if (File.Exists(given)) return new() { FilePath = Path.GetFullPath(given) };
        if (ShippedConfigs.Find(given) is { } shipped) return new() { ShippedName = shipped };
        if (Directory.Exists(given)) throw new ConfigException($"{given}: is a folder; give a YAML config file");
        throw new ConfigException($"config file not found: {given} (not a file, nor a shipped config; nearest shipped: " +
                                  $"{string.Join(", ", ShippedConfigs.Nearest(given))}; 'maskrcnn config --list' shows them all)");
    }

    public string ReadText()
    {
        if (ShippedName is not null) return ShippedConfigs.ReadText(ShippedName);
        try { return File.ReadAllText(FilePath!); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ConfigException($"{FilePath}: cannot read: {e.Message}"); }
    }

    /// <summary>The config a <c>_BASE_</c> value names: relative to this one's folder (among files, or among the shipped
    /// configs), and for a file whose neighbour does not exist, a shipped config of that name.</summary>
    public ConfigSource Base(string relative, string origin)
    {
        if (FilePath is not null)
        {
            var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(FilePath)!, relative));
            if (File.Exists(path)) return new() { FilePath = path };
            if (ShippedConfigs.Find(relative) is { } shipped) return new() { ShippedName = shipped };
            throw new ConfigException($"{origin}: {ConfigLoader.BaseKey} file not found: {path}");
        }
        var folder = Path.GetDirectoryName(ShippedName)!.Replace('\\', '/');
        var joined = Normalize(folder.Length == 0 ? relative : folder + "/" + relative);
        return ShippedConfigs.Find(joined) is { } name
            ? new() { ShippedName = name }
            : throw new ConfigException($"{origin}: {ConfigLoader.BaseKey} names {relative}, which is not a shipped config");
    }

    // Resolves "." and ".." in a '/'-separated shipped path.
    static string Normalize(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Replace('\\', '/').Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == ".." && parts.Count > 0) parts.RemoveAt(parts.Count - 1);
            else parts.Add(part);
        }
        return string.Join('/', parts);
    }

    public override string ToString() => FilePath ?? ShippedName!;
}
