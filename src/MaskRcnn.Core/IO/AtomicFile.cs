using System.Diagnostics;
using System.Text.RegularExpressions;

namespace MaskRcnn.IO;

/// <summary>Writes files so that a crash at any moment leaves either the old content or the new, never a torn file.
/// The content goes to a temporary file beside the target (<c>.NAME.PID.GUID.tmp</c>) that is moved into place when
/// complete; a process killed mid-write leaves that temporary behind, which <see cref="RemoveStaleTemporaries"/> clears.</summary>
public static partial class AtomicFile
{
    static readonly AsyncLocal<Func<string, Stream, Stream>?> Interceptor = new();

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var temp = TempPathFor(path);
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                var stream = Intercepted(path, file);
                stream.Write(bytes);
                stream.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// Streams the content into a temporary file beside <paramref name="path"/> and moves it into place only when
    /// <paramref name="write"/> returns; if it throws, the previous file is untouched and the temporary file removed.
    /// For content too large to build in memory first (weight files).
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        var temp = TempPathFor(path);
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20))
            {
                var stream = Intercepted(path, file);
                write(stream);
                stream.Flush();
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Deletes the temporaries of interrupted writes in <paramref name="directory"/> (not below it): files named as
    /// ours whose writing process is gone (a live one may still be writing). Returns the names removed.
    /// </summary>
    public static IReadOnlyList<string> RemoveStaleTemporaries(string directory)
    {
        var removed = new List<string>();
        if (!Directory.Exists(directory)) return removed;
        foreach (var path in Directory.EnumerateFiles(directory, ".*.tmp"))
        {
            var name = Path.GetFileName(path);
            if (TempName().Match(name) is not { Success: true } match) continue;
            if (!int.TryParse(match.Groups["pid"].ValueSpan, out var pid) || IsRunning(pid)) continue;
            try
            {
                File.Delete(path);
                removed.Add(name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the next start; not a reason to stop this one.
            }
        }
        return removed;
    }

    /// <summary>Runs <paramref name="wrap"/> around the stream of every write in this logical call (thread, async
    /// flow) until disposed: the tests put failures (a full disk) where the real ones happen.</summary>
    internal static IDisposable InterceptWrites(Func<string, Stream, Stream> wrap)
    {
        var previous = Interceptor.Value;
        Interceptor.Value = wrap;
        return new Restore(() => Interceptor.Value = previous);
    }

    sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    static Stream Intercepted(string path, FileStream file) => Interceptor.Value is { } wrap ? wrap(path, file) : file;

    static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    static string TempPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");

    [GeneratedRegex(@"^\..+\.(?<pid>[0-9]+)\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex TempName();
}
