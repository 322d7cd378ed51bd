using MaskRcnn.Config;

namespace MaskRcnn.Data.Loading;

/// <summary>How the training loader batches and prefetches, and the largest image it decodes (<c>INPUT.MAX_IMAGE_PIXELS</c>).</summary>
public sealed record DataLoaderOptions(int ImagesPerBatch, int SizeDivisibility, int Workers, bool GroupByAspect, int Seed, bool SkipBadSamples,
    int MaxImagePixels)
{
    public static DataLoaderOptions ForTraining(MaskRcnnConfig cfg, int seed) => new(
        cfg.Solver.ImsPerBatch, cfg.DataLoader.SizeDivisibility, cfg.DataLoader.NumWorkers, cfg.DataLoader.AspectRatioGrouping, seed,
        cfg.DataLoader.SkipBadSamples, cfg.Input.MaxImagePixels);
}
