using MaskRcnn.Config;
using MaskRcnn.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Engine;

/// <summary>
/// <c>DTYPE</c> as the precision the model computes in: "float32" (the default: everything in float32),
/// "float16" (maskrcnn-benchmark's mixed precision, apex O1 there: convolutions and matrix products in float16 via
/// LibTorch's autocast, the rest in float32, and in training a <see cref="Solver.GradientScaler"/> against float16
/// underflow; meant for CUDA), or "bfloat16" (ours: the same autocast in bfloat16, which has float32's range and
/// needs no scaling; works on CPU and recent GPUs). Weights, optimizer state and checkpoints stay float32.
/// </summary>
public sealed class MixedPrecision
{
    MixedPrecision(ScalarType? autocastDtype, DeviceType device)
    {
        AutocastDtype = autocastDtype;
        Device = device;
    }

    public ScalarType? AutocastDtype { get; }
    public DeviceType Device { get; }
    public bool Enabled => AutocastDtype is not null;

    /// <summary>float16 gradients underflow without loss scaling; bfloat16's do not.</summary>
    public bool NeedsLossScaling => AutocastDtype == ScalarType.Float16;

    public static MixedPrecision From(MaskRcnnConfig cfg, Device device)
    {
        ScalarType? dtype = cfg.Dtype switch
        {
            "float32" => null,
            "float16" => ScalarType.Float16,
            "bfloat16" => ScalarType.BFloat16,
            _ => throw new ConfigException($"DTYPE: unknown value '{cfg.Dtype}'; expected float32, float16 or bfloat16"),
        };
        if (dtype is not null && !Autocast.IsAvailable)
            throw new ConfigException($"DTYPE {cfg.Dtype}: mixed precision needs LibTorch's autocast, which this tool reaches on Linux only; set DTYPE float32");
        return new MixedPrecision(dtype, device.type);
    }

    /// <summary>Autocast for the model's forward pass (losses included), or nothing in float32.</summary>
    public IDisposable? Enter() => AutocastDtype is { } dtype ? Autocast.Enter(Device, dtype) : null;
}
