namespace MaskRcnn.Evaluation;

/// <summary>
/// pycocotools' evaluation parameters. For bbox and segm (<see cref="Default"/>): IoU thresholds .50:.05:.95 and
/// recall thresholds 0:.01:1 (built as numpy's linspace builds them, so that the doubles are identical), at most
/// 1/10/100 detections per image, and the all/small/medium/large area ranges. For keypoints (<see cref="Keypoints"/>,
/// pycocotools' <c>setKpParams</c>): the same thresholds, at most 20 detections, the all/medium/large ranges and
/// COCO's 17 per-keypoint OKS sigmas.
/// </summary>
public sealed record CocoEvalParams
{
    // First: static initializers run in text order, and Default and Keypoints below read it.
    /// <summary>COCO's person keypoints (nose, eyes, ears, shoulders, elbows, wrists, hips, knees, ankles), divided by
    /// 10 at run time as pycocotools divides them, so that the doubles are the same.</summary>
    static readonly double[] CocoKeypointSigmas =
        new[] { .26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62, 1.07, 1.07, .87, .87, .89, .89 }.Select(s => s / 10.0).ToArray();

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

    /// <summary>OKS's per-keypoint standard deviations (pycocotools' <c>kpt_oks_sigmas</c>); the keypoint count is their count.</summary>
    public IReadOnlyList<double> KeypointSigmas { get; init; } = CocoKeypointSigmas;

    public static CocoEvalParams Default { get; } = new();

    public static CocoEvalParams Keypoints { get; } = new()
    {
        MaxDets = [20],
        AreaRanges = [new("all", 0, 1e10), new("medium", 32 * 32, 96 * 96), new("large", 96 * 96, 1e10)],
    };

    /// <summary>The parameters pycocotools' COCOeval starts from for <paramref name="type"/>.</summary>
    public static CocoEvalParams For(IouType type) => type == IouType.Keypoints ? Keypoints : Default;

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
