using System.Text.RegularExpressions;

namespace MaskRcnn.Checkpoint;

/// <summary>
/// FPN blocks are named after the backbone stage they read (<c>fpn_inner2</c> reads C2's successor C3, …), as
/// maskrcnn-benchmark names them; torchvision numbers its blocks from 0 in the order the returned stages come, so a
/// torchvision RetinaNet (C3–C5) file maps to <c>fpn_inner1…3</c> where our RetinaNet has <c>fpn_inner2…4</c>. When a
/// file's FPN levels are exactly the model's shifted down by some count, each model block takes the file's block that
/// many levels lower; any other disagreement is left for the loader to report as missing and unexpected names.
/// </summary>
public static partial class FpnLevelAlignment
{
    /// <summary>For each FPN name of the model, the offered name that fills it, when the levels are shifted; else empty.</summary>
    public static Dictionary<string, string> Place(IReadOnlyCollection<string> modelNames, IReadOnlyCollection<string> offered)
    {
        var modelLevels = Levels(modelNames);
        var offeredLevels = Levels(offered);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (modelLevels.Count == 0 || modelLevels.Count != offeredLevels.Count || modelLevels.SetEquals(offeredLevels)) return result;
        int shift = modelLevels.Min() - offeredLevels.Min();
        if (shift <= 0 || !offeredLevels.Select(l => l + shift).ToHashSet().SetEquals(modelLevels)) return result;
        var available = offered.ToHashSet(StringComparer.Ordinal);
        foreach (var name in modelNames)
            if (Block().Match(name) is { Success: true } m)
            {
                var source = $"{m.Groups["prefix"]}{int.Parse(m.Groups["level"].Value) - shift}{m.Groups["rest"]}";
                if (available.Contains(source)) result[name] = source;
            }
        return result;
    }

    /// <summary>Our FPN block names numbered from 1 (torchvision's count from the first block the model has, as a
    /// Mask R-CNN's do): a RetinaNet's fpn_inner2…4 become fpn_inner1…3; other names are returned as they are.</summary>
    public static Func<string, string> NumberedFromOne(IReadOnlyCollection<string> names)
    {
        var levels = Levels(names);
        int shift = levels.Count == 0 ? 0 : levels.Min() - 1;
        return name => shift > 0 && Block().Match(name) is { Success: true } m
            ? $"{m.Groups["prefix"]}{int.Parse(m.Groups["level"].Value) - shift}{m.Groups["rest"]}"
            : name;
    }

    static HashSet<int> Levels(IEnumerable<string> names) =>
        names.Select(n => Block().Match(n)).Where(m => m.Success).Select(m => int.Parse(m.Groups["level"].Value)).ToHashSet();

    [GeneratedRegex(@"^(?<prefix>backbone\.fpn\.fpn_(inner|layer))(?<level>\d+)(?<rest>\..+)$", RegexOptions.CultureInvariant)]
    private static partial Regex Block();
}
