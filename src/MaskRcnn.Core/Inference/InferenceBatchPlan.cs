namespace MaskRcnn.Inference;

/// <summary>
/// Which images share a test batch, as maskrcnn-benchmark's test loader forms them (a sequential sampler, then
/// <c>GroupedBatchSampler</c> with <c>drop_uneven=False</c> when <c>DATALOADER.ASPECT_RATIO_GROUPING</c> is on): images
/// are split into landscape (height/width &lt; 1) and portrait-or-square (≥ 1) groups, each group is cut in order into
/// batches of the batch size (the last one possibly smaller), and the batches run in the order of their first image.
/// Without grouping, consecutive images form the batches. Batching matters because a batch is padded to its largest image.
/// </summary>
public static class InferenceBatchPlan
{
    /// <param name="positions">The images to run, in the order a sequential sampler gives them.</param>
    /// <param name="isPortrait">Per entry of <paramref name="positions"/>: height ≥ width.</param>
    public static IReadOnlyList<int[]> Make(IReadOnlyList<int> positions, IReadOnlyList<bool> isPortrait, int batchSize, bool groupByAspect)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), $"TEST.IMS_PER_BATCH must be at least 1, got {batchSize}");
        if (isPortrait.Count != positions.Count) throw new ArgumentException($"{isPortrait.Count} orientations for {positions.Count} images");
        if (!groupByAspect) return positions.Chunk(batchSize).ToList();
        // Chunks of each group in sampler order; then all batches ordered by where their first image came.
        var batches = new List<(int First, int[] Batch)>();
        foreach (var portrait in new[] { false, true })
        {
            var members = Enumerable.Range(0, positions.Count).Where(i => isPortrait[i] == portrait).ToList();
            foreach (var chunk in members.Chunk(batchSize))
                batches.Add((chunk[0], chunk.Select(i => positions[i]).ToArray()));
        }
        return batches.OrderBy(b => b.First).Select(b => b.Batch).ToList();
    }
}
