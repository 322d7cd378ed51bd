using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tensors;

/// <summary>Finds NaN or infinity in named tensors with whole-tensor ops: one <c>isfinite().all()</c> per floating tensor,
/// and a single read of the stacked flags.</summary>
public static class NonFinite
{
    /// <summary>The name of the first tensor (in the order given) holding a NaN or an infinity, or null if all are finite.</summary>
    public static string? First(IEnumerable<(string Name, Tensor Tensor)> tensors)
    {
        using var scope = torch.NewDisposeScope();
        var names = new List<string>();
        var flags = new List<Tensor>();
        foreach (var (name, tensor) in tensors)
        {
            if (!tensor.is_floating_point()) continue; // integer and byte tensors (RNG states) cannot be non-finite
            names.Add(name);
            flags.Add(tensor.detach().isfinite().all().cpu());
        }
        if (flags.Count == 0) return null;
        using var finite = torch.stack(flags);
        if (finite.all().item<bool>()) return null;
        return names[(int)finite.logical_not().nonzero()[0, 0].item<long>()];
    }
}
