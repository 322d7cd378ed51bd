using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using MaskRcnn.IO;
using TorchSharp;

namespace MaskRcnn.Native;

/// <summary>
/// Makes TorchSharp's native library load on systems whose libstdc++ is older than the one it was
/// built against (Debian 12, Ubuntu 22.04). libLibTorchSharp.so 0.107.0 requires GLIBCXX_3.4.32 only
/// for <c>_ZSt21ios_base_library_initv</c>, a link-time anchor that GCC 13's &lt;iostream&gt; emits and
/// nothing calls. Marking that version need weak in a copy of the library lets the loader accept it.
/// Every entry point calls <see cref="EnsureLoaded"/> before its first TorchSharp call; where the
/// normal load works this does nothing.
/// </summary>
public static partial class TorchNativeLoader
{
    const string LibraryName = "LibTorchSharp";
    const string FileName = "libLibTorchSharp.so";
    public const string PatchedFileName = "libLibTorchSharp.weak.so";

    /// <summary>Symbols that are safe to leave unresolved: link-time anchors that no code calls.</summary>
    public static readonly IReadOnlySet<string> AnchorSymbols = new HashSet<string> { "_ZSt21ios_base_library_initv" };

    static readonly Lock Gate = new();
    static bool attempted;

    /// <summary>The patched copy in use, or null when the original library loads as it is.</summary>
    public static string? PatchedLibraryPath { get; private set; }

    /// <param name="log">Where the note about a patched copy goes (standard error by default).</param>
    /// <param name="verbose">Name the patched copy on every run; otherwise the note is said once per machine.</param>
    public static void EnsureLoaded(TextWriter? log = null, bool verbose = false)
    {
        lock (Gate)
        {
            if (attempted) return;
            attempted = true;
            TorchHugePages.Enable(); // before LibTorch's first allocation, which reads the switch once
            if (!OperatingSystem.IsLinux()) return;
            var original = FindOriginal();
            if (original is null) return; // TorchSharp reports a missing package itself
            TorchLogLevel.Apply(Path.GetDirectoryName(original)!);
            var handle = LoadPatchedIfNeeded(original, log ?? Console.Error, verbose);
            if (handle == IntPtr.Zero) return;
            NativeLibrary.SetDllImportResolver(typeof(torch).Assembly,
                (name, _, _) => name == LibraryName ? handle : IntPtr.Zero);
        }
    }

    /// <summary>Loads <paramref name="original"/>; if that fails only for missing anchor-symbol versions,
    /// loads a patched copy instead and returns its handle. Returns zero when no patch was needed.</summary>
    static IntPtr LoadPatchedIfNeeded(string original, TextWriter log, bool verbose)
    {
        var missing = MissingVersions(original);
        if (missing.Count == 0) return IntPtr.Zero;

        var bytes = File.ReadAllBytes(original);
        // dlerror names one missing version at a time: patch, retry, and widen the set until it loads.
        for (int attempt = 0; attempt < 8; attempt++)
        {
            var patched = Patch(bytes, missing, original);
            var (path, written) = WritePatchedCopy(original, patched);
            try
            {
                var handle = NativeLibrary.Load(path);
                if (verbose || (written && FirstTimeOnThisMachine(CacheRoot())))
                    log.WriteLine($"maskrcnn: {FileName} needs {string.Join(", ", missing)}, which this system's libstdc++ lacks; " +
                                  $"using a copy with that version need marked weak: {path}");
                PatchedLibraryPath = path;
                return handle;
            }
            catch (DllNotFoundException e)
            {
                var more = ParseMissingVersions(e.Message);
                if (more.Count == 0 || more.IsSubsetOf(missing)) throw;
                missing.UnionWith(more);
            }
        }
        throw new DllNotFoundException($"{original}: could not be made to load on this system (missing {string.Join(", ", missing)})");
    }

    static HashSet<string> MissingVersions(string path)
    {
        try
        {
            var handle = NativeLibrary.Load(path);
            return [];
        }
        catch (DllNotFoundException e)
        {
            return ParseMissingVersions(e.Message);
        }
    }

    [GeneratedRegex(@"version `([^']+)' not found")]
    private static partial Regex MissingVersionPattern();

    internal static HashSet<string> ParseMissingVersions(string loaderMessage) =>
        MissingVersionPattern().Matches(loaderMessage).Select(m => m.Groups[1].Value).ToHashSet();

    /// <summary>Marks the needs of <paramref name="versions"/> weak, after checking that each binds only anchor symbols.</summary>
    public static byte[] Patch(byte[] library, IReadOnlySet<string> versions, string name)
    {
        var needs = ElfVersionNeeds.Read(library, name).Where(n => versions.Contains(n.Version)).ToList();
        foreach (var v in versions.Where(v => needs.All(n => n.Version != v)))
            throw new InvalidOperationException($"{name}: the loader reports missing version {v}, which the library does not declare");
        foreach (var need in needs)
        {
            var unsafeSymbols = need.Symbols.Where(s => !AnchorSymbols.Contains(s)).ToList();
            if (unsafeSymbols.Count > 0)
                throw new InvalidOperationException(
                    $"{name}: needs {need.Version} from {need.File} for {string.Join(", ", unsafeSymbols.Take(5))}; " +
                    "install a newer libstdc++ (GCC 13 or later) to run TorchSharp here");
        }
        return ElfVersionNeeds.WithWeakVersions(library, needs);
    }

    /// <summary>Writes the patched copy beside the original (so its $ORIGIN run path finds the same
    /// libtorch), or into a cached copy of the whole native folder when that folder is read-only.</summary>
    static (string Path, bool Written) WritePatchedCopy(string original, byte[] patched)
    {
        var folder = Path.GetDirectoryName(original)!;
        var target = Path.Combine(folder, PatchedFileName);
        if (SameContent(target, patched)) return (target, false);
        try
        {
            AtomicFile.WriteAllBytes(target, patched);
            return (target, true);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            var cache = CachedNativeFolder(folder);
            target = Path.Combine(cache, PatchedFileName);
            if (SameContent(target, patched)) return (target, false);
            AtomicFile.WriteAllBytes(target, patched);
            return (target, true);
        }
    }

    /// <summary>The user's cache folder for this tool ($XDG_CACHE_HOME/maskrcnn, else ~/.cache/maskrcnn).</summary>
    static string CacheRoot() => Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
        ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "maskrcnn");

    /// <summary>True the first time it is asked on this machine (for this user): every install, build or published folder
    /// patches its own copy, and the note need not be repeated for each. True also when the mark cannot be written.</summary>
    internal static bool FirstTimeOnThisMachine(string cacheRoot)
    {
        var mark = Path.Combine(cacheRoot, "libstdc++-note-shown");
        try
        {
            if (File.Exists(mark)) return false;
            Directory.CreateDirectory(Path.GetDirectoryName(mark)!);
            File.WriteAllText(mark, "maskrcnn said once that it loads a copy of libLibTorchSharp.so with the GLIBCXX_3.4.32 need marked weak.\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return true;
    }

    static string CachedNativeFolder(string folder)
    {
        var key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(folder)))[..16];
        var cache = Path.Combine(CacheRoot(), "torch-native", key);
        Directory.CreateDirectory(cache);
        foreach (var file in Directory.GetFiles(folder))
        {
            var copy = Path.Combine(cache, Path.GetFileName(file));
            var info = new FileInfo(file);
            if (File.Exists(copy) && new FileInfo(copy).Length == info.Length) continue;
            var temp = copy + $".tmp{Environment.ProcessId}";
            File.Copy(file, temp, overwrite: true);
            File.Move(temp, copy, overwrite: true);
        }
        return cache;
    }

    static bool SameContent(string path, byte[] bytes) =>
        File.Exists(path) && new FileInfo(path).Length == bytes.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes);

    /// <summary>The libLibTorchSharp.so the runtime would load: the native probing folders of the app, then
    /// the usual places relative to the app and to TorchSharp.dll.</summary>
    public static string? FindOriginal()
    {
        var rid = $"linux-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
        var folders = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string probing)
            folders.AddRange(probing.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        // AppContext.BaseDirectory, not Assembly.Location: the latter is empty in a single-file app.
        var baseDir = AppContext.BaseDirectory;
        folders.Add(Path.Combine(baseDir, "runtimes", rid, "native"));
        folders.Add(baseDir);
        return folders.Select(f => Path.Combine(f, FileName)).FirstOrDefault(File.Exists);
    }
}
