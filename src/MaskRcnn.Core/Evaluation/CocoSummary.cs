using System.Globalization;
using System.Text;

namespace MaskRcnn.Evaluation;

/// <summary>The 12 statistics in pycocotools' order, and its <c>summarize()</c> table, character for character.</summary>
public static class CocoSummary
{
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

    /// <summary>The table pycocotools prints, one line per statistic.</summary>
    public static string Format(CocoEvaluation evaluation)
    {
        var text = new StringBuilder();
        var thresholds = evaluation.Params.IouThresholds;
        for (int i = 0; i < Definitions.Count; i++)
        {
            var d = Definitions[i];
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
