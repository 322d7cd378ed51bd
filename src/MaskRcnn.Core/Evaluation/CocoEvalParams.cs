namespace MaskRcnn.Evaluation;

/// <summary>
/// pycocotools' default evaluation parameters for bbox and segm: IoU thresholds .50:.05:.95 and recall thresholds
/// 0:.01:1 (built as numpy's linspace builds them, so that the doubles are identical), at most 1/10/100 detections
/// per image, and the all/small/medium/large area ranges.
/// </summary>
public sealed record CocoEvalParams
{
    public IReadOnlyList<double> IouThresholds { get; init; } = Linspace(0.5, 0.95, 10);
    public IReadOnlyList<double> RecallThresholds { get; init; } = Linspace(0.0, 1.0, 101);
    public IReadOnlyList<int> MaxDets { get; init; } = [1, 10, 100];

    public IReadOnlyList<AreaRange> AreaRanges { get; init; } =
    [
        new("all", 0, 1e10),
        new("small", 0, 32 * 32),
        new("medium", 32 * 32, 96 * 96),
        new("large", 96 * 96, 1e10),
    ];

    /// <summary>The images to evaluate (pycocotools' <c>params.imgIds</c>); null means every image of the ground truth.</summary>
    public IReadOnlyList<long>? ImageIds { get; init; }

    public static CocoEvalParams Default { get; } = new();

    /// <summary>numpy's <c>linspace(start, stop, num)</c>: start + i·step with step = (stop − start)/(num − 1), the last value exactly stop.</summary>
    public static double[] Linspace(double start, double stop, int num)
    {
        var values = new double[num];
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) values[i] = i * step + start;
        if (num > 1) values[num - 1] = stop;
        return values;
    }
}
