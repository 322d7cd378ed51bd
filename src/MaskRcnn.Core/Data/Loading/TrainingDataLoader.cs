using MaskRcnn.Data.Coco;
using MaskRcnn.Data.Transforms;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Data.Loading;

/// <summary>
/// Yields exactly the batches of iterations [start, end): images decoded, transformed and padded into an
/// <see cref="ImageList"/>. With workers, batches are prepared ahead on background threads (at most
/// 2 × workers batches in flight) and handed out in iteration order. Each sample's augmentation is seeded by
/// (seed, iteration, position), so the data is the same whatever the number of workers, and a process that loads only
/// its slice of each batch (<see cref="DataLoaderOptions.Slice"/>) gets exactly those images of the whole batch. A bad sample stops
/// loading with an error naming the image, or — with <c>DATALOADER.SKIP_BAD_SAMPLES</c> — is left out of its
/// batch with a warning and counted.
/// </summary>
public sealed class TrainingDataLoader(IDetectionDataset dataset, DetectionTransform transform, DataLoaderOptions options, TextWriter? log = null)
{
    int skipped;

    /// <summary>Samples left out because they could not be read.</summary>
    public int SkippedSamples => Volatile.Read(ref skipped);

    public TrainingBatchSampler Sampler { get; } = new(
        Enumerable.Range(0, dataset.Count).Select(i => dataset.ImageAt(i) is var info && info.Height >= info.Width).ToList(),
        options.ImagesPerBatch, options.Seed, options.GroupByAspect);

    public IEnumerable<DetectionBatch> Batches(int start, int end)
    {
        var (first, last) = options.Slice;
        var plan = Sampler.ForIterations(start, end);
        if (options.Workers <= 0)
        {
            foreach (var (iteration, indices) in plan) yield return Build(iteration, indices, first, last);
            yield break;
        }
        foreach (var batch in OrderedPrefetch.Run(plan, step => Build(step.Iteration, step.Indices, first, last), options.Workers, 2 * options.Workers, b => b.Dispose()))
            yield return batch;
    }

    DetectionBatch Build(int iteration, int[] indices, int first, int last)
    {
        using var scope = torch.NewDisposeScope();
        var images = new List<Tensor>();
        var targets = new List<BoxList>();
        var ids = new List<long>();
        var kept = new List<int>();
        var positions = new List<int>();
        for (int position = first; position < Math.Min(last, indices.Length); position++)
        {
            DetectionSample sample;
            try { sample = dataset.Load(indices[position], options.MaxImagePixels); }
            catch (Exception e) when (e is ImageDecodeException or DataException)
            {
                if (!options.SkipBadSamples)
                    throw new DataException($"{e.Message} (dataset {dataset.Name}, image id {dataset.ImageIdAt(indices[position])}; " +
                                            "set DATALOADER.SKIP_BAD_SAMPLES True to skip such images)");
                Interlocked.Increment(ref skipped);
                log?.WriteLine($"warning: skipping image id {dataset.ImageIdAt(indices[position])} of {dataset.Name}: {e.Message}");
                continue;
            }
            var rng = new Random(unchecked(options.Seed * 1_000_003 + iteration * 131 + position));
            var (image, target) = transform.Apply(sample.Image, sample.Target, rng);
            images.Add(image);
            targets.Add(target!);
            ids.Add(sample.ImageId);
            kept.Add(indices[position]);
            positions.Add(position);
        }
        if (images.Count == 0)
            throw new DataException($"every image of iteration {iteration}'s batch in {dataset.Name} was unreadable (image ids {string.Join(", ", indices[first..Math.Min(last, indices.Length)].Select(dataset.ImageIdAt))})");
        var batch = ImageList.FromImages(images, options.SizeDivisibility);
        batch.Tensor.MoveToOuterDisposeScope();
        foreach (var t in targets) t.MoveToOuterDisposeScope();
        return new DetectionBatch(iteration, batch, targets, ids, kept, positions);
    }
}
