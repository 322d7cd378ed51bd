namespace MaskRcnn.Config;

/// <summary>Finds the closest known name to a misspelt one, for "did you mean" hints.</summary>
public static class DidYouMean
{
    public static string? Closest(string given, IEnumerable<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var candidate in known)
        {
            int d = Distance(given.ToUpperInvariant(), candidate.ToUpperInvariant());
            if (d < bestDistance) (best, bestDistance) = (candidate, d);
        }
        // Beyond about a third of the name, a suggestion is more confusing than helpful.
        return best is not null && bestDistance <= Math.Max(2, given.Length / 3) ? best : null;
    }

    public static string Hint(string given, IEnumerable<string> known) =>
        Closest(given, known) is { } s ? $" (did you mean {s}?)" : "";

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions, transpositions.</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
