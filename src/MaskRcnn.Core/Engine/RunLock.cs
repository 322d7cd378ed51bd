using System.Globalization;
using MaskRcnn.Checkpoint;
using MaskRcnn.IO;


namespace MaskRcnn.Engine;

/// <summary>
/// One training process per OUTPUT_DIR: an exclusive OS lock on <c>OUTPUT_DIR/train.lock</c> (flock on Unix), which
/// the kernel releases when the process ends however it ends, so a killed run never locks the folder for good. The
/// holder's pid goes to <c>train.pid</c> beside it (a locked file cannot be read from .NET) for the refusal message.
/// </summary>
public sealed class RunLock : IDisposable
{
    public const string FileName = "train.lock", PidFileName = "train.pid";

    readonly FileStream held;
    readonly string pidPath;

    RunLock(FileStream held, string pidPath)
    {
        this.held = held;
        this.pidPath = pidPath;
    }

    /// <summary>Takes the folder's lock, or throws <see cref="RunStateException"/> naming the process that holds it.</summary>
    public static RunLock Acquire(string outputDir)
    {
        Directory.CreateDirectory(outputDir);
        var path = Path.Combine(outputDir, FileName);
        var pidPath = Path.Combine(outputDir, PidFileName);
        FileStream held;
        try
        {
            held = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (IsHeldElsewhere(e))
        {
            throw new RunStateException($"OUTPUT_DIR {outputDir} is in use by another maskrcnn train ({Holder(pidPath)}, lock {path}): " +
                                        "wait for it to end or stop it, or train into another OUTPUT_DIR");
        }
        try
        {
            AtomicFile.WriteAllText(pidPath, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
            return new RunLock(held, pidPath);
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    // flock's EWOULDBLOCK (Linux 11, macOS 35; .NET puts the errno in HResult on Unix), Windows' sharing violation (32).
    static bool IsHeldElsewhere(IOException e) =>
        OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) == 32 : e.HResult == (OperatingSystem.IsMacOS() ? 35 : 11);

    static string Holder(string pidPath)
    {
        try
        {
            var text = File.ReadAllText(pidPath).Trim();
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? $"pid {pid}" : "pid unknown";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "pid unknown";
        }
    }

    public void Dispose()
    {
        // The pid file goes while the lock is still held; the lock file stays (deleting it would race a newcomer).
        try { File.Delete(pidPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        held.Dispose();
    }
}
