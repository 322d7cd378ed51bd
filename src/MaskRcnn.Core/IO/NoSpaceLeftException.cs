namespace MaskRcnn.IO;

/// <summary>A write failed because the file system is full (or the user's quota is): the message names the folder and
/// says what is still intact.</summary>
public sealed class NoSpaceLeftException(string message, Exception inner) : IOException(message, inner)
{
    // Linux ENOSPC 28 and EDQUOT 122, macOS EDQUOT 69 (.NET puts the errno in HResult on Unix);
    // Windows ERROR_HANDLE_DISK_FULL 39 and ERROR_DISK_FULL 112 (as HRESULTs 0x8007xxxx).
    public static bool IsNoSpace(Exception e) => e is IOException and not NoSpaceLeftException && (OperatingSystem.IsWindows()
        ? (e.HResult & 0xFFFF) is 39 or 112
        : e.HResult == 28 || e.HResult == (OperatingSystem.IsMacOS() ? 69 : 122));
}
