using System.Text;
using System.Text.RegularExpressions;

namespace MaskRcnn.Config;

/// <summary>Writes a config as YAML that this tool (and maskrcnn-benchmark) reads back to the same values.</summary>
public static partial class ConfigWriter
{
    public static string ToYaml(ConfigSection cfg)
    {
        var sb = new StringBuilder();
        Write(cfg, 0, sb);
        return sb.ToString();
    }

    static void Write(ConfigSection section, int indent, StringBuilder sb)
    {
        var pad = new string(' ', indent);
        foreach (var entry in section.Entries)
        {
            var value = section.Get(entry);
            if (value is ConfigSection inner)
            {
                sb.Append(pad).Append(entry.Key).Append(":\n");
                Write(inner, indent + 2, sb);
            }
            else
                sb.Append(pad).Append(entry.Key).Append(": ").Append(Format(value)).Append('\n');
        }
    }

    public static string Format(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        int i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
        long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
        double d => PyLiteral.FormatFloat(d),
        string s => FormatString(s),
        PySequence seq => "[" + string.Join(", ", seq.Items.Select(Format)) + "]",
        Array a => "[" + string.Join(", ", a.Cast<object?>().Select(Format)) + "]",
        _ => FormatString(value.ToString() ?? ""),
    };

    [GeneratedRegex(@"^[A-Za-z_./][A-Za-z0-9_./:+@-]*$")]
    private static partial Regex PlainSafe();

    /// <summary>Plain when it reads back as the same string; single-quoted otherwise.</summary>
    static string FormatString(string s) =>
        PlainSafe().IsMatch(s) && RawValue.FromPlainText(s).Parsed is string back && back == s
            ? s
            : "'" + s.Replace("'", "''") + "'";
}
