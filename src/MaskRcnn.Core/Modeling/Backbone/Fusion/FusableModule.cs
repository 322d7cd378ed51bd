using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Backbone.Fusion;

/// <summary>
/// The lifecycle every <see cref="IInferenceFusable"/> layer shares: a folded snapshot is dropped on switching to
/// training, on moving to another device or dtype, and on disposal, so training never sees stale weights.
/// Subclasses keep the snapshot and implement <see cref="Fuse"/>, <see cref="Unfuse"/> and <see cref="IsFused"/>.
/// </summary>
public abstract class FusableModule(string name) : nn.Module<Tensor, Tensor>(name), IInferenceFusable
{
    public abstract bool IsFused { get; }
    public abstract void Fuse();
    public abstract void Unfuse();

    /// <summary>Layers are registered by hand under maskrcnn-benchmark's names; TorchSharp would also register
    /// every module-typed field under the field's name.</summary>
    protected override void RegisterComponents() { }

    public override void train(bool train = true)
    {
        base.train(train);
        if (train) Unfuse();
    }

    // A snapshot stays where it was made: moving the module (device or dtype) drops it.
    protected override nn.Module _to(Device device, ScalarType dtype, bool non_blocking)
    {
        Unfuse();
        return base._to(device, dtype, non_blocking);
    }

    protected override nn.Module _to(DeviceType deviceType, int deviceIndex, bool non_blocking)
    {
        Unfuse();
        return base._to(deviceType, deviceIndex, non_blocking);
    }

    protected override nn.Module _to(ScalarType dtype, bool non_blocking)
    {
        Unfuse();
        return base._to(dtype, non_blocking);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Unfuse();
        base.Dispose(disposing);
    }
}
