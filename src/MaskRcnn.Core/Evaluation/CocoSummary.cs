using System.Globalization;
using System.Text;

namespace MaskRcnn.Evaluation;

/// <summary>The statistics in pycocotools' order (12 for bbox and segm, 10 for keypoints), and its <c>summarize()</c>
/// table, character for character.</summary>
public static class CocoSummary
{
    /// <summary>bbox and segm: AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl.</summary>
    public static IReadOnlyList<CocoStatDefinition> Definitions { get; } =
    [
        new("AP", true, null, "all", 100),
        new("AP50", true, 0.5, "all", 100),
        new("AP75", true, 0.75, "all", 100),
        new("APs", true, null, "small", 100),
        new("APm", true, null, "medium", 100),
        new("APl", true, null, "large", 100),
        new("AR1", false, null, "all", 1),
        new("AR10", false, null, "all", 10),
        new("AR100", false, null, "all", 100),
        new("ARs", false, null, "small", 100),
        new("ARm", false, null, "medium", 100),
        new("ARl", false, null, "large", 100),
    ];

    /// <summary>keypoints (pycocotools' <c>_summarizeKps</c>), all at 20 detections: AP, AP50, AP75, APm, APl, AR, AR50,
    /// AR75, ARm, ARl (the names maskrcnn-benchmark gives the first five).</summary>
    public static IReadOnlyList<CocoStatDefinition> KeypointDefinitions { get; } =
    [
        new("AP", true, null, "all", 20),
        new("AP50", true, 0.5, "all", 20),
        new("AP75", true, 0.75, "all", 20),
        new("APm", true, null, "medium", 20),
        new("APl", true, null, "large", 20),
        new("AR", false, null, "all", 20),
        new("AR50", false, 0.5, "all", 20),
        new("AR75", false, 0.75, "all", 20),
        new("ARm", false, null, "medium", 20),
        new("ARl", false, null, "large", 20),
    ];

    /// <summary>The statistics pycocotools' <c>summarize()</c> computes for <paramref name="type"/>.</summary>
    public static IReadOnlyList<CocoStatDefinition> DefinitionsFor(IouType type) => type == IouType.Keypoints ? KeypointDefinitions : Definitions;

    /// <summary>The table pycocotools prints, one line per statistic.</summary>
    public static string Format(CocoEvaluation evaluation)
    {
        var text = new StringBuilder();
        var thresholds = evaluation.Params.IouThresholds;
        var definitions = evaluation.Definitions;
        for (int i = 0; i < definitions.Count; i++)
        {
            var d = definitions[i];
            string title = d.IsPrecision ? "Average Precision" : "Average Recall";
            string kind = d.IsPrecision ? "(AP)" : "(AR)";
            string iou = d.IouThreshold is { } t ? Fixed(t, 2) : $"{Fixed(thresholds[0], 2)}:{Fixed(thresholds[^1], 2)}";
            text.Append(CultureInfo.InvariantCulture,
                $" {title,-18} {kind} @[ IoU={iou,-9} | area={d.Area,6} | maxDets={d.MaxDets,3} ] = {Fixed(evaluation.Stats[i], 3)}\n");
        }
        return text.ToString();
    }

    /// <summary>Python's <c>'{:0.Nf}'.format(x)</c>: the exact binary value rounded half to even.</summary>
    public static string Fixed(double value, int decimals)
    {
        // .NET rounds exact ties away from zero, Python to even. A value is an exact tie when value·10^N is exactly
        // a half-integer: the fused residual tells whether the scaling itself was exact.
        double power = Math.Pow(10, decimals), scaled = value * power;
        if (scaled - Math.Floor(scaled) == 0.5 && Math.FusedMultiplyAdd(value, power, -scaled) == 0)
            value = Math.Round(scaled, MidpointRounding.ToEven) / power;
        return value.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }
}
