namespace MaskRcnn.Config;

/// <summary>
/// Gives a raw value its key's type, as yacs does (tuple and list interchange) and a little more
/// forgiving where nothing is lost: an int where a float is expected, and a single value where a
/// sequence is expected (<c>MIN_SIZE_TRAIN: 800</c> means <c>(800,)</c>). That convenience never takes text with
/// brackets, commas or quotes: such text is a tuple literal that did not parse (<c>("a", "b"</c>, <c>a)</c>,
/// <c>a, b</c>), which yacs refuses as a str given for a tuple, not one name.
/// </summary>
public static class ConfigValueConverter
{
    public static object Convert(RawValue raw, Type target, string key, string origin)
    {
        if (target == typeof(object?[]))
            return raw.Parsed is PySequence any ? any.Items.ToArray() : throw Mismatch(raw.Parsed, target, key, origin);
        if (target.IsArray)
        {
            var element = target.GetElementType()!;
            if (raw.Parsed is string text && text.IndexOfAny(LiteralSyntax) >= 0)
                throw new ConfigException($"{origin}: {key} expects {TypeName(target)}, got {PyLiteral.Repr(text)}, which is not a valid tuple " +
                                          "(check its brackets and quotes; e.g. (\"name\",) or (\"a\", \"b\"))");
            var items = raw.Parsed is PySequence seq ? seq.Items : [raw.Parsed];
            var array = Array.CreateInstance(element, items.Count);
            for (int i = 0; i < items.Count; i++)
            {
                if (!TryScalar(items[i], null, element, out var v)) throw Mismatch(raw.Parsed, target, key, origin);
                array.SetValue(v, i);
            }
            return array;
        }
        return TryScalar(raw.Parsed, raw.PlainText, target, out var value) ? value : throw Mismatch(raw.Parsed, target, key, origin);
    }

    static readonly char[] LiteralSyntax = ['(', ')', '[', ']', ',', '"', '\''];

    static bool TryScalar(object? parsed, string? plainText, Type target, out object value)
    {
        value = null!;
        if (target == typeof(bool) && parsed is bool b) value = b;
        else if (target == typeof(int) && parsed is long l && l is >= int.MinValue and <= int.MaxValue) value = (int)l;
        else if (target == typeof(double) && parsed is double d) value = d;
        else if (target == typeof(double) && parsed is long li) value = (double)li;
        else if (target == typeof(string) && parsed is string s) value = s;
        else if (target == typeof(string) && parsed is null) value = "";
        // An unquoted number where a name is expected (DEVICE: 0): keep the text as written.
        else if (target == typeof(string) && parsed is long or double && plainText is not null) value = plainText;
        return value is not null;
    }

    /// <summary>The Python name of a config type: bool, int, float, str, tuple of int, list.</summary>
    public static string TypeName(Type type) =>
        type == typeof(bool) ? "bool" :
        type == typeof(int) ? "int" :
        type == typeof(double) ? "float" :
        type == typeof(string) ? "str" :
        type == typeof(object?[]) ? "list" :
        type.IsArray ? $"tuple of {TypeName(type.GetElementType()!)}" :
        type.Name;

    static ConfigException Mismatch(object? given, Type target, string key, string origin) =>
        new($"{origin}: {key} expects {TypeName(target)}, got {PyLiteral.TypeName(given)} {PyLiteral.Repr(given)}");
}
