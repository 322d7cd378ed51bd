namespace MaskRcnn.Evaluation;

/// <summary>
/// The accumulated result of a COCO evaluation, laid out as pycocotools' <c>eval</c> dict: precision and scores
/// [T, R, K, A, M] and recall [T, K, A, M] in C order (T IoU thresholds, R recall thresholds, K categories in
/// ascending id order, A area ranges, M maxDets), −1 where undefined; plus the summary statistics (12 for bbox and
/// segm, 10 for keypoints).
/// </summary>
public sealed class CocoEvaluation
{
    internal CocoEvaluation(IouType iouType, CocoEvalParams parameters, long[] categoryIds, long[] imageIds, double[] precision, double[] recall, double[] scores)
    {
        IouType = iouType;
        Params = parameters;
        CategoryIds = categoryIds;
        ImageIds = imageIds;
        Precision = precision;
        Recall = recall;
        Scores = scores;
        Definitions = CocoSummary.DefinitionsFor(iouType);
        Stats = Definitions.Select(d => Summarize(d, category: null)).ToArray();
    }

    public IouType IouType { get; }
    public CocoEvalParams Params { get; }
    public IReadOnlyList<long> CategoryIds { get; }
    public IReadOnlyList<long> ImageIds { get; }
    public double[] Precision { get; }
    public double[] Recall { get; }
    public double[] Scores { get; }

    /// <summary>What each of <see cref="Stats"/> is, in order.</summary>
    public IReadOnlyList<CocoStatDefinition> Definitions { get; }

    /// <summary>pycocotools' <c>stats</c>: AP, AP50, AP75, APs, APm, APl, AR1, AR10, AR100, ARs, ARm, ARl for bbox and
    /// segm; AP, AP50, AP75, APm, APl, AR, AR50, AR75, ARm, ARl for keypoints.</summary>
    public IReadOnlyList<double> Stats { get; }

    public int T => Params.IouThresholds.Count;
    public int R => Params.RecallThresholds.Count;
    public int K => CategoryIds.Count;
    public int A => Params.AreaRanges.Count;
    public int M => Params.MaxDets.Count;

    public double PrecisionAt(int t, int r, int k, int a, int m) => Precision[(((long)t * R + r) * K + k) * A * M + a * M + m];
    public double RecallAt(int t, int k, int a, int m) => Recall[((long)t * K + k) * A * M + a * M + m];

    /// <summary>The AP statistics of <see cref="Definitions"/> (six for bbox and segm, five for keypoints).</summary>
    public IReadOnlyList<CocoStatDefinition> ApDefinitions => Definitions.Where(d => d.IsPrecision).ToList();

    /// <summary>One category's AP statistics (<see cref="ApDefinitions"/>), −1 where it has no ground truth.</summary>
    public double[] CategoryAps(int k) => ApDefinitions.Select(d => Summarize(d, k)).ToArray();

    /// <summary>pycocotools' <c>_summarize</c>: the mean of the defined (&gt; −1) entries selected by IoU threshold (all
    /// when null; by exact equality otherwise), area range and maxDets, or −1 when there are none.</summary>
    internal double Summarize(CocoStatDefinition stat, int? category)
    {
        int a = IndexWhere(Params.AreaRanges, r => r.Label == stat.Area);
        int m = IndexWhere(Params.MaxDets, d => d == stat.MaxDets);
        if (a < 0 || m < 0) return -1;
        double sum = 0;
        long count = 0;
        for (int t = 0; t < T; t++)
        {
            if (stat.IouThreshold is { } iou && Params.IouThresholds[t] != iou) continue;
            for (int k = 0; k < K; k++)
            {
                if (category is { } only && k != only) continue;
                if (stat.IsPrecision)
                    for (int r = 0; r < R; r++) Add(PrecisionAt(t, r, k, a, m));
                else Add(RecallAt(t, k, a, m));
            }
        }
        return count == 0 ? -1 : sum / count;

        void Add(double value)
        {
            if (value > -1) { sum += value; count++; }
        }
    }

    static int IndexWhere<T>(IReadOnlyList<T> values, Func<T, bool> match)
    {
        for (int i = 0; i < values.Count; i++)
            if (match(values[i])) return i;
        return -1;
    }
}
