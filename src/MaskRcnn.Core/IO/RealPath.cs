namespace MaskRcnn.IO;

/// <summary>
/// A path with every symbolic link along it resolved, as POSIX <c>realpath</c> does: "." and ".." are taken as the file
/// system takes them (".." after a link goes up from the link's target, not from the link), so two paths name the same
/// file or folder exactly when their real paths are equal under <see cref="Comparer"/> (hard links aside). Parts that
/// do not exist yet are kept as written, so that a folder still to be made has a real path too. A link loop is left
/// unresolved after 40 links (Linux's limit): opening it fails, and that is reported where it is opened.
/// </summary>
public static class RealPath
{
    const int MaxLinks = 40;

    /// <summary>How real paths compare: case-insensitively where the usual file systems are (Windows, macOS).</summary>
    public static StringComparison Comparison { get; } =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    public static StringComparer Comparer { get; } = StringComparer.FromComparison(Comparison);

    /// <summary>Whether real path <paramref name="path"/> lies inside real folder <paramref name="folder"/> (at any depth).</summary>
    public static bool IsUnder(string path, string folder) =>
        path.StartsWith(Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar, Comparison);

    public static string Of(string path)
    {
        var absolute = Path.Combine(Directory.GetCurrentDirectory(), path); // not GetFullPath: it would take ".." before links
        var current = Path.GetPathRoot(absolute)!;
        var pending = new Stack<string>(Parts(absolute[current.Length..]).Reverse());
        int links = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }
            var next = Path.Join(current, part);
            var target = links < MaxLinks ? LinkTarget(next) : null;
            if (target is null)
            {
                current = next;
                continue;
            }
            // The link's target takes its place: resolved part by part in turn, from the root if absolute, else from the link's folder.
            links++;
            if (Path.IsPathRooted(target)) current = Path.GetPathRoot(Path.GetFullPath(target))!;
            foreach (var p in Parts(target[Path.GetPathRoot(target)!.Length..]).Reverse()) pending.Push(p);
        }
        return current;
    }

    static IEnumerable<string> Parts(string relative) =>
        relative.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Where the link at <paramref name="path"/> points, or null when it is no link (or does not exist).</summary>
    static string? LinkTarget(string path)
    {
        try { return new FileInfo(path).LinkTarget; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
