using System.Globalization;
using System.Text;

namespace MaskRcnn.Config;

/// <summary>A Python list or tuple literal's items.</summary>
public sealed record PySequence(IReadOnlyList<object?> Items, bool IsTuple);

/// <summary>
/// Parses the Python literals that maskrcnn-benchmark configs and command-line overrides are written in
/// (what yacs reads with <c>ast.literal_eval</c>): <c>True</c>/<c>False</c>/<c>None</c>, ints, floats
/// such as <c>1e-4</c>, quoted strings, and nested tuples/lists such as <c>(800,)</c> or
/// <c>("coco_2014_train", "coco_2014_valminusminival")</c>. Results are bool, long, double, string,
/// null or <see cref="PySequence"/>.
/// </summary>
public static class PyLiteral
{
    /// <summary>True when the whole text is one literal; otherwise yacs keeps the text as a string.</summary>
    public static bool TryParse(string text, out object? value)
    {
        var parser = new Parser(text);
        try
        {
            value = parser.ParseValue();
            parser.SkipSpace();
            if (parser.AtEnd) return true;
        }
        catch (FormatException) { }
        value = null;
        return false;
    }

    /// <summary>The Python type name of a parsed value, for error messages.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "None",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        PySequence s => s.IsTuple ? "tuple" : "list",
        _ => value.GetType().Name,
    };

    /// <summary>Python's repr of a parsed value.</summary>
    public static string Repr(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FormatFloat(d),
        string s => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'",
        PySequence { IsTuple: true, Items.Count: 1 } s => "(" + Repr(s.Items[0]) + ",)",
        PySequence s => (s.IsTuple ? "(" : "[") + string.Join(", ", s.Items.Select(Repr)) + (s.IsTuple ? ")" : "]"),
        _ => value.ToString() ?? "",
    };

    /// <summary>Shortest round-trip float text in Python's repr style (<c>1.0</c>, <c>0.0001</c>, <c>1e-05</c>).</summary>
    public static string FormatFloat(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        var r = d.ToString("R", CultureInfo.InvariantCulture);
        var sign = r.StartsWith('-') ? "-" : "";
        r = r.TrimStart('-');
        int exp = 0, ePos = r.IndexOf('E');
        if (ePos >= 0) { exp = int.Parse(r[(ePos + 1)..], CultureInfo.InvariantCulture); r = r[..ePos]; }
        int dot = r.IndexOf('.');
        string intPart = dot < 0 ? r : r[..dot], all = intPart + (dot < 0 ? "" : r[(dot + 1)..]);
        var digits = all.TrimStart('0');
        int lead = all.Length - digits.Length;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) return sign + "0.0";
        int sci = intPart.Length + exp - lead - 1; // decimal exponent of the first significant digit
        if (sci < -4 || sci >= 16)
            return $"{sign}{digits[0]}{(digits.Length > 1 ? "." + digits[1..] : "")}e{(sci < 0 ? "-" : "+")}{Math.Abs(sci):00}";
        if (sci < 0) return $"{sign}0.{new string('0', -sci - 1)}{digits}";
        var whole = digits.PadRight(sci + 1, '0')[..(sci + 1)];
        var frac = digits.Length > sci + 1 ? digits[(sci + 1)..] : "0";
        return $"{sign}{whole}.{frac}";
    }

    sealed class Parser(string text)
    {
        int pos;
        public bool AtEnd => pos >= text.Length;

        public void SkipSpace()
        {
            while (pos < text.Length && char.IsWhiteSpace(text[pos])) pos++;
        }

        public object? ParseValue()
        {
            SkipSpace();
            if (AtEnd) throw new FormatException();
            char c = text[pos];
            if (c is '(' or '[') return ParseSequence(c == '(' ? ')' : ']', isTuple: c == '(');
            if (c is '\'' or '"') return ParseString(c);
            if (char.IsDigit(c) || c is '-' or '+' or '.') return ParseNumber();
            int start = pos;
            while (pos < text.Length && (char.IsLetterOrDigit(text[pos]) || text[pos] == '_')) pos++;
            return text[start..pos] switch
            {
                "True" => true,
                "False" => false,
                "None" => null,
                _ => throw new FormatException(),
            };
        }

        object? ParseSequence(char close, bool isTuple)
        {
            pos++; // opening bracket
            var items = new List<object?>();
            bool trailingComma = false;
            while (true)
            {
                SkipSpace();
                if (AtEnd) throw new FormatException();
                if (text[pos] == close) { pos++; break; }
                items.Add(ParseValue());
                SkipSpace();
                if (AtEnd) throw new FormatException();
                trailingComma = false;
                if (text[pos] == ',') { pos++; trailingComma = true; continue; }
                if (text[pos] != close) throw new FormatException();
            }
            // (x) is just x in Python; (x,) is a tuple.
            if (isTuple && items.Count == 1 && !trailingComma) return items[0];
            return new PySequence(items, isTuple);
        }

        string ParseString(char quote)
        {
            pos++;
            var sb = new StringBuilder();
            while (true)
            {
                if (AtEnd) throw new FormatException();
                char c = text[pos++];
                if (c == quote) return sb.ToString();
                if (c == '\\')
                {
                    if (AtEnd) throw new FormatException();
                    char e = text[pos++];
                    sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', _ => e });
                }
                else sb.Append(c);
            }
        }

        object ParseNumber()
        {
            int start = pos;
            if (text[pos] is '-' or '+') pos++;
            while (pos < text.Length && (char.IsDigit(text[pos]) || text[pos] is '.' or '_' or 'e' or 'E'
                   || (text[pos] is '-' or '+' && text[pos - 1] is 'e' or 'E'))) pos++;
            var token = text[start..pos].Replace("_", "");
            if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return l;
            if (token.Any(ch => ch is '.' or 'e' or 'E')
                && double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
            throw new FormatException();
        }
    }
}
