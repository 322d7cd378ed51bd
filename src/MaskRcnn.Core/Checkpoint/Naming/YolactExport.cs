using System.Text.RegularExpressions;
using MaskRcnn.SafeTensors;

namespace MaskRcnn.Checkpoint.Naming;

/// <summary>
/// Our YOLACT weights under dbolya/yolact's names, for its <c>Yolact().load_state_dict(...)</c> (strict) in Python:
/// its backbone's BatchNorm2d layers get a step counter (0) each. GroupNorm models have no counterpart there, neither
/// with MODEL.YOLACT.USE_GN (convolutions in Sequentials) nor with a GroupNorm ResNet (norms without running statistics).
/// </summary>
public static partial class YolactExport
{
    // Our backbone's norm layers, which the reference builds as BatchNorm2d.
    [GeneratedRegex(@"^backbone\.body\.(stem\.bn1|layer\d+\.\d+\.(bn\d|downsample\.1))\.weight$", RegexOptions.CultureInvariant)]
    private static partial Regex BackboneNormWeight();

    /// <summary>Consumes <paramref name="ours"/> (our names; extras already removed) and returns the same tensors under the reference's names.</summary>
    public static StateDict FromOurs(string path, StateDict ours)
    {
        var untranslatable = ours.Names.Where(n => YolactNames.FromOurs(n) is null || IsGroupNorm(ours, n)).ToList();
        if (untranslatable.Count > 0)
            throw new WeightFileException($"{path}: dbolya/yolact's model has no counterpart for {untranslatable.Count} weight(s): " +
                ExportedWeights.Few(untranslatable) + " (only YOLACT with a BatchNorm ResNet and without MODEL.YOLACT.USE_GN exports)");
        return ExportedWeights.Rename(ours, YolactNames.FromOurs, YolactNames.BatchNormCounterBeside);
    }

    static bool IsGroupNorm(StateDict ours, string name) =>
        BackboneNormWeight().IsMatch(name) && !ours.Contains(name[..^"weight".Length] + "running_var");
}
