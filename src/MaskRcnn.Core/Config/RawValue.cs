namespace MaskRcnn.Config;

/// <summary>A value as written in YAML or on the command line, before it is given its key's type.</summary>
/// <param name="Parsed">The Python/YAML reading: bool, long, double, string, null or <see cref="PySequence"/>.</param>
/// <param name="PlainText">The unquoted text it was read from, when it was a plain scalar.</param>
public sealed record RawValue(object? Parsed, string? PlainText)
{
    static readonly HashSet<string> YamlTrue = ["true", "yes", "on"];
    static readonly HashSet<string> YamlFalse = ["false", "no", "off"];
    static readonly HashSet<string> YamlNull = ["", "~", "null"];

    /// <summary>Reads an unquoted scalar the way yacs does after PyYAML: a Python literal if it is one,
    /// else a YAML 1.1 bool/null, else the text itself.</summary>
    public static RawValue FromPlainText(string text)
    {
        text = text.Trim();
        if (PyLiteral.TryParse(text, out var literal)) return new(literal, text);
        var lower = text.ToLowerInvariant();
        if (YamlTrue.Contains(lower)) return new(true, text);
        if (YamlFalse.Contains(lower)) return new(false, text);
        if (YamlNull.Contains(lower)) return new(null, text);
        return new(text, text);
    }

    public static RawValue Quoted(string text) => new(text, null);
}
