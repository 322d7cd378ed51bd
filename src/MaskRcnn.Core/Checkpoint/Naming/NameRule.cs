using System.Text.RegularExpressions;

namespace MaskRcnn.Checkpoint.Naming;

/// <summary>One rename: a whole-name pattern and how to build the new name from its groups.</summary>
sealed record NameRule(Regex Pattern, Func<Match, string> Target)
{
    public NameRule(string pattern, Func<Match, string> target)
        : this(new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.Compiled), target) { }

    /// <summary>The first rule whose pattern matches <paramref name="name"/> renames it; null when none does.</summary>
    public static string? Apply(IEnumerable<NameRule> rules, string name)
    {
        foreach (var rule in rules)
            if (rule.Pattern.Match(name) is { Success: true } m) return rule.Target(m);
        return null;
    }

    /// <summary>A 0-based index group as a 1-based number, or the reverse (<paramref name="delta"/> -1).</summary>
    public static int Shift(Match m, string group, int delta) => int.Parse(m.Groups[group].Value) + delta;
}
