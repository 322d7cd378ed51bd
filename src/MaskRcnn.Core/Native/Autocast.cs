using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Native;

/// <summary>
/// LibTorch's automatic mixed precision (what <c>torch.autocast</c> is in Python): inside a scope, on the thread that
/// opened it, convolutions and matrix products on the given device run in a lower precision (float16 or bfloat16)
/// and precision-sensitive ops stay in float32; outside, nothing changes. TorchSharp 0.107 does not expose it, so
/// this calls LibTorch's own switches (<c>at::autocast::set_autocast_enabled</c> and friends, exported by
/// libtorch_cpu) directly. Linux only: elsewhere <see cref="IsAvailable"/> is false and the caller says so.
/// </summary>
public sealed class Autocast : IDisposable
{
    // Itanium C++ ABI names of at::autocast's functions in LibTorch 2.x.
    const string SetEnabledName = "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb";
    const string IsEnabledName = "_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE";
    const string SetDtypeName = "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE";
    const string GetDtypeName = "_ZN2at8autocast18get_autocast_dtypeEN3c1010DeviceTypeE";
    const string IncrementName = "_ZN2at8autocast17increment_nestingEv";
    const string DecrementName = "_ZN2at8autocast17decrement_nestingEv";
    const string ClearCacheName = "_ZN2at8autocast11clear_cacheEv";

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate void SetEnabledFn(sbyte device, [MarshalAs(UnmanagedType.U1)] bool enabled);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] [return: MarshalAs(UnmanagedType.U1)] delegate bool IsEnabledFn(sbyte device);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate void SetDtypeFn(sbyte device, sbyte dtype);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate sbyte GetDtypeFn(sbyte device);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate int NestingFn();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate void ClearCacheFn();

    sealed record Functions(SetEnabledFn SetEnabled, IsEnabledFn IsEnabled, SetDtypeFn SetDtype, GetDtypeFn GetDtype,
                            NestingFn Increment, NestingFn Decrement, ClearCacheFn ClearCache);

    static readonly Lazy<Functions?> Native = new(Bind);

    /// <summary>Whether this platform's LibTorch exposes autocast to us.</summary>
    public static bool IsAvailable => Native.Value is not null;

    readonly Functions native;
    readonly sbyte device;
    readonly bool wasEnabled;
    readonly sbyte previousDtype;
    bool disposed;

    Autocast(Functions native, DeviceType deviceType, ScalarType dtype)
    {
        this.native = native;
        device = (sbyte)deviceType;
        wasEnabled = native.IsEnabled(device);
        previousDtype = native.GetDtype(device);
        native.SetEnabled(device, true);
        native.SetDtype(device, (sbyte)dtype);
        native.Increment();
    }

    /// <summary>Autocast on <paramref name="deviceType"/> to <paramref name="dtype"/> (Float16 or BFloat16) until disposed.</summary>
    public static Autocast Enter(DeviceType deviceType, ScalarType dtype)
    {
        if (dtype is not (ScalarType.Float16 or ScalarType.BFloat16))
            throw new ArgumentException($"autocast runs in Float16 or BFloat16, not {dtype}", nameof(dtype));
        var native = Native.Value ?? throw new PlatformNotSupportedException(
            "mixed precision needs LibTorch's autocast, which this tool reaches on Linux only");
        return new Autocast(native, deviceType, dtype);
    }

    /// <summary>Whether autocast is on for <paramref name="deviceType"/> on this thread.</summary>
    public static bool IsEnabled(DeviceType deviceType) => Native.Value?.IsEnabled((sbyte)deviceType) ?? false;

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        // Leaving the outermost scope drops the cached low-precision copies of the weights, which the next
        // optimizer step makes stale.
        if (native.Decrement() == 0) native.ClearCache();
        native.SetDtype(device, previousDtype);
        native.SetEnabled(device, wasEnabled);
    }

    static Functions? Bind()
    {
        if (!OperatingSystem.IsLinux()) return null;
        TorchNativeLoader.EnsureLoaded();
        var original = TorchNativeLoader.FindOriginal();
        if (original is null) return null;
        var path = Path.Combine(Path.GetDirectoryName(original)!, "libtorch_cpu.so");
        if (!File.Exists(path) || !NativeLibrary.TryLoad(path, out var handle)) return null;
        T? Get<T>(string name) where T : Delegate =>
            NativeLibrary.TryGetExport(handle, name, out var address) ? Marshal.GetDelegateForFunctionPointer<T>(address) : null;
        var setEnabled = Get<SetEnabledFn>(SetEnabledName);
        var isEnabled = Get<IsEnabledFn>(IsEnabledName);
        var setDtype = Get<SetDtypeFn>(SetDtypeName);
        var getDtype = Get<GetDtypeFn>(GetDtypeName);
        var increment = Get<NestingFn>(IncrementName);
        var decrement = Get<NestingFn>(DecrementName);
        var clear = Get<ClearCacheFn>(ClearCacheName);
        return setEnabled is null || isEnabled is null || setDtype is null || getDtype is null || increment is null || decrement is null || clear is null
            ? null
            : new Functions(setEnabled, isEnabled, setDtype, getDtype, increment, decrement, clear);
    }
}
