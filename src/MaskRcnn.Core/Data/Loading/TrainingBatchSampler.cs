namespace MaskRcnn.Data.Loading;

/// <summary>
/// The endless, deterministic sequence of training batches (lists of dataset indices): each epoch is a seeded
/// shuffle; with aspect-ratio grouping, portrait and landscape images fill separate buckets and a batch is
/// emitted when its bucket is full (leftovers carry into the next epoch, so every batch is full). Iteration i's
/// batch depends only on the seed, so training resumed at iteration i sees the same data it would have seen.
/// </summary>
public sealed class TrainingBatchSampler
{
    readonly int[] groups;
    readonly int batchSize;
    readonly int seed;

    /// <param name="isPortrait">Per image: height ≥ width, as maskrcnn-benchmark bins aspect ratios at 1 (used only with <paramref name="groupByAspect"/>).</param>
    public TrainingBatchSampler(IReadOnlyList<bool> isPortrait, int batchSize, int seed, bool groupByAspect)
    {
        if (isPortrait.Count == 0) throw new ArgumentException("the training dataset has no images");
        if (batchSize <= 0) throw new ArgumentException($"batch size must be positive, got {batchSize}");
        groups = isPortrait.Select(p => groupByAspect && p ? 1 : 0).ToArray();
        this.batchSize = batchSize;
        this.seed = seed;
    }

    public IEnumerable<int[]> Batches()
    {
        var buckets = new[] { new List<int>(batchSize), new List<int>(batchSize) };
        for (int epoch = 0; ; epoch++)
        {
            foreach (var index in Shuffle(groups.Length, unchecked(seed * 7919 + epoch)))
            {
                var bucket = buckets[groups[index]];
                bucket.Add(index);
                if (bucket.Count == batchSize)
                {
                    yield return bucket.ToArray();
                    bucket.Clear();
                }
            }
        }
    }

    /// <summary>The batches of iterations [<paramref name="start"/>, <paramref name="end"/>).</summary>
    public IEnumerable<(int Iteration, int[] Indices)> ForIterations(int start, int end) =>
        Batches().Select((b, i) => (Iteration: i, Indices: b)).Skip(start).Take(Math.Max(0, end - start));

    static int[] Shuffle(int n, int seed)
    {
        var order = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(order);
        return order;
    }
}
