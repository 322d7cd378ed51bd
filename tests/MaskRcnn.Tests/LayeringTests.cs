using System.Text.RegularExpressions;

namespace MaskRcnn.Tests;

/// <summary>
/// The library's top-level folders depend on each other one way (config → data → model → engine): read from the
/// <c>using</c> lines and qualified names of src/MaskRcnn.Core, the folder graph has no cycle, and Engine is its top.
/// </summary>
public partial class LayeringTests
{
    static readonly string Core = Path.Combine(TestPaths.RepoRoot, "src", "MaskRcnn.Core");

    // Folder → the other top-level namespaces its files name.
    static Dictionary<string, SortedSet<string>> Graph()
    {
        var graph = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Core, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Core, file).Split(Path.DirectorySeparatorChar);
            if (relative.Length < 2 || relative[0] is "bin" or "obj") continue;
            var folder = relative[0];
            var uses = graph.TryGetValue(folder, out var set) ? set : graph[folder] = new SortedSet<string>(StringComparer.Ordinal);
            foreach (Match m in Reference().Matches(File.ReadAllText(file)))
                if (m.Groups["target"].Value is var target && target != folder) uses.Add(target);
        }
        return graph;
    }

    [GeneratedRegex(@"(?:^using (?:static )?MaskRcnn\.(?<target>\w+)|(?<![\w.])MaskRcnn\.(?<target>\w+)\.)", RegexOptions.Multiline)]
    private static partial Regex Reference();

    [Fact]
    public void TheFolderGraphHasNoCycle()
    {
        var graph = Graph();
        Assert.Contains("Engine", graph.Keys);
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 on the path, 2 done
        var path = new List<string>();
        string? Visit(string folder)
        {
            if (state.TryGetValue(folder, out var s))
                return s == 1 ? string.Join(" → ", path.Skip(path.IndexOf(folder)).Append(folder)) : null;
            state[folder] = 1;
            path.Add(folder);
            foreach (var next in graph.GetValueOrDefault(folder) ?? [])
                if (Visit(next) is { } cycle) return cycle;
            path.RemoveAt(path.Count - 1);
            state[folder] = 2;
            return null;
        }
        foreach (var folder in graph.Keys)
            Assert.Null(Visit(folder));
    }

    [Fact]
    public void NothingInTheLibraryUsesTheEngine() =>
        Assert.Empty(Graph().Where(kv => kv.Value.Contains("Engine")).Select(kv => kv.Key));
}
