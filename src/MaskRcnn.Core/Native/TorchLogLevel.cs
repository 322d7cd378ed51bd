using System.Runtime.InteropServices;

namespace MaskRcnn.Native;

/// <summary>
/// LibTorch's C++ log threshold (c10's <c>FLAGS_caffe2_log_level</c>: 0 info, 1 warning, 2 error, 3 fatal). The tool
/// starts it at error: on VMs that hide their CPU features LibTorch logs "Could not initialize NNPACK! Reason:
/// Unsupported hardware" from every thread that runs a convolution over 16 or more images or RoIs, a harmless notice
/// that would otherwise litter eval and predict output. <c>TORCH_CPP_LOG_LEVEL</c> (INFO, WARNING, ERROR, FATAL or
/// 0–3), PyTorch's own switch, overrides it. Python sets the flag when torch is imported; LibTorch alone never reads the
/// variable, hence this. Linux only (the flag is an exported variable of libc10.so).
/// </summary>
public static class TorchLogLevel
{
    public const string Variable = "TORCH_CPP_LOG_LEVEL";
    public const int Error = 2;
    const string FlagSymbol = "FLAGS_caffe2_log_level";

    /// <summary>The level a <see cref="Variable"/> value asks for, or null for an unset or unreadable one.</summary>
    public static int? Parse(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        "INFO" or "0" => 0,
        "WARNING" or "1" => 1,
        "ERROR" or "2" => 2,
        "FATAL" or "3" => 3,
        _ => null,
    };

    /// <summary>Sets the threshold in the libc10.so beside <paramref name="nativeDir"/>'s LibTorchSharp; does nothing
    /// where there is none. Returns the level set, or null.</summary>
    internal static int? Apply(string nativeDir)
    {
        if (FlagAddress(nativeDir) is not { } flag) return null;
        int level = Parse(Environment.GetEnvironmentVariable(Variable)) ?? Error;
        Marshal.WriteInt32(flag, level);
        return level;
    }

    /// <summary>The threshold LibTorch is using now, or null where it cannot be read.</summary>
    public static int? Current(string nativeDir) => FlagAddress(nativeDir) is { } flag ? Marshal.ReadInt32(flag) : null;

    /// <summary>Where libc10.so beside <paramref name="nativeDir"/>'s LibTorchSharp keeps the threshold, or null.</summary>
    static nint? FlagAddress(string nativeDir)
    {
        var path = Path.Combine(nativeDir, "libc10.so");
        if (!File.Exists(path) || !NativeLibrary.TryLoad(path, out var handle)) return null;
        return NativeLibrary.TryGetExport(handle, FlagSymbol, out var flag) ? flag : null;
    }
}
