using MaskRcnn.SafeTensors;
using TorchSharp;

namespace MaskRcnn.Checkpoint.Naming;

/// <summary>What writing our weights under another implementation's names has in common, whichever implementation.</summary>
static class ExportedWeights
{
    /// <summary>
    /// Consumes <paramref name="ours"/>, every name of which has a counterpart under <paramref name="rename"/> (checked by
    /// the caller), and returns the tensors under those names, with a BatchNorm step counter (0) wherever
    /// <paramref name="counterBeside"/> names one, so that PyTorch's strict <c>load_state_dict</c> accepts the file.
    /// </summary>
    public static StateDict Rename(StateDict ours, Func<string, string?> rename, Func<string, string?> counterBeside)
    {
        var result = new StateDict(new Dictionary<string, string> { ["format"] = "pt" });
        foreach (var (name, tensor) in ours.Release()) result.Add(rename(name)!, tensor);
        foreach (var name in result.Names.ToList())
            if (counterBeside(name) is { } counter && !result.Contains(counter))
                result.Add(counter, torch.tensor(0L));
        return result;
    }

    /// <summary>The first few names, for a one-line error.</summary>
    public static string Few(IReadOnlyList<string> names) => string.Join(", ", names.Take(4)) + (names.Count > 4 ? ", ..." : "");
}
