namespace MaskRcnn.Config;

/// <summary>A config that cannot be used: unknown key, wrong type, bad file. The message is one line
/// naming the file (when there is one) and the full key.</summary>
public class ConfigException(string message) : Exception(message);

/// <summary>A valid maskrcnn-benchmark setting for a feature this tool does not have yet.</summary>
public sealed class ConfigNotSupportedException(string key, string feature, string? file)
    : ConfigException($"{(file is null ? "" : file + ": ")}not supported yet: {key} ({feature})")
{
    public string Key { get; } = key;
    public string Feature { get; } = feature;
}
