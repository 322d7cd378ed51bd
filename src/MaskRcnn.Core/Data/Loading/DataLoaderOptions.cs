using MaskRcnn.Config;
using MaskRcnn.Distributed;

namespace MaskRcnn.Data.Loading;

/// <summary>How the training loader batches and prefetches, and the largest image it decodes (<c>INPUT.MAX_IMAGE_PIXELS</c>).
/// <see cref="ImagesPerBatch"/> is the whole batch (<c>SOLVER.IMS_PER_BATCH</c>); a process that is rank
/// <see cref="Rank"/> of <see cref="Ranks"/> loads only its contiguous 1/Ranks of it.</summary>
public sealed record DataLoaderOptions(int ImagesPerBatch, int SizeDivisibility, int Workers, bool GroupByAspect, int Seed, bool SkipBadSamples,
    int MaxImagePixels, int Rank = 0, int Ranks = 1)
{
    public static DataLoaderOptions ForTraining(MaskRcnnConfig cfg, int seed, int rank = 0, int ranks = 1) => new(
        cfg.Solver.ImsPerBatch, cfg.DataLoader.SizeDivisibility, cfg.DataLoader.NumWorkers, cfg.DataLoader.AspectRatioGrouping, seed,
        cfg.DataLoader.SkipBadSamples, cfg.Input.MaxImagePixels, rank, ranks);

    /// <summary>This process's positions [start, end) in each whole batch.</summary>
    public (int Start, int End) Slice
    {
        get
        {
            int share = BatchShare.Of(ImagesPerBatch, Ranks, "SOLVER.IMS_PER_BATCH");
            return (Rank * share, (Rank + 1) * share);
        }
    }
}
