using System.Runtime.CompilerServices;
using MaskRcnn.Native;

namespace MaskRcnn.Tests;

/// <summary>The test assembly is an entry point like the CLI: TorchSharp's native library is made loadable first.</summary>
static class TestSetup
{
    [ModuleInitializer]
    internal static void Init() => TorchNativeLoader.EnsureLoaded();
}

/// <summary>Paths of committed fixtures and of the repository's own files. Nothing outside the repository: a user's clone
/// has nothing beside it (.ci/run runs the tests from a copy in an empty folder to keep this true).</summary>
static class TestPaths
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The shipped configs: maskrcnn-benchmark's model zoo in its own layout, and ours (coco/, shapes/, torchvision/, vgg/).</summary>
    public static string Configs => Path.Combine(RepoRoot, "configs");

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MaskRcnnCli.sln"))) return dir.FullName;
        throw new InvalidOperationException("MaskRcnnCli.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A temporary folder removed after the test.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("maskrcnn-test-").FullName;
    public string File(string name, string content)
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        return path;
    }
    public void Dispose() => Directory.Delete(Path, recursive: true);
}
