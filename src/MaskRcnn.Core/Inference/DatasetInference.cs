using System.Diagnostics;
using MaskRcnn.Config;
using MaskRcnn.Data;
using MaskRcnn.Data.Coco;
using MaskRcnn.Modeling;
using TorchSharp;

namespace MaskRcnn.Inference;

/// <summary>
/// maskrcnn-benchmark's <c>compute_on_dataset</c> and <c>prepare_for_coco_*</c>: runs a <see cref="Predictor"/> over a
/// test dataset (every image, in id order, or one <see cref="Shard"/>) in batches of <c>TEST.IMS_PER_BATCH</c> formed as
/// its test loader forms them (<see cref="InferenceBatchPlan"/>), and returns the COCO results. With
/// <c>DATALOADER.NUM_WORKERS</c> &gt; 0 the next images are decoded on background threads while the model runs. Each
/// image must have the size the annotation file gives it (results are in that size) and at most
/// <c>INPUT.MAX_IMAGE_PIXELS</c> pixels; an unreadable, mis-sized or too large image stops the run naming it, or with
/// <c>DATALOADER.SKIP_BAD_SAMPLES</c> is left out with a warning. Categories are the dataset's; a checkpoint that recorded
/// others in training is one warning (<see cref="CategoryResolution.DatasetMismatch"/>). Memory stays flat: each batch's tensors are freed
/// before the next.
/// </summary>
public sealed class DatasetInference(Predictor predictor, CocoDetectionDataset dataset, TextWriter? log = null)
{
    /// <param name="imagesPerBatch">Images per batch (default TEST.IMS_PER_BATCH; a rank of a distributed run takes its share).</param>
    public DatasetInferenceResult Run(Shard? shard = null, Action<InferenceProgress>? progress = null, CancellationToken cancel = default, int? imagesPerBatch = null)
    {
        var cfg = predictor.Config;
        if (dataset.NumClasses != cfg.Model.NumClasses)
            throw new ConfigException($"{cfg.Model.NumClassesKey} is {cfg.Model.NumClasses} but {dataset.Name} has " +
                                      $"{dataset.NumClasses - 1} categories (+1 background)");
        // The dataset's ground truth defines the ids; a checkpoint trained on other categories is worth a word.
        if (CategoryResolution.DatasetMismatch(predictor.LoadReport, dataset) is { } mismatch) log?.WriteLine($"warning: {mismatch}");
        var converter = CocoResultConverter.For(dataset, BoxConventions.Parse(cfg.Model.BoxConvention));
        var (start, end) = (shard ?? Shard.Whole).Range(dataset.Count);
        var positions = Enumerable.Range(start, end - start).ToList();
        var portrait = positions.Select(i => dataset.ImageAt(i) is var info && info.Height >= info.Width).ToList();
        var batches = InferenceBatchPlan.Make(positions, portrait, imagesPerBatch ?? cfg.Test.ImsPerBatch, cfg.DataLoader.AspectRatioGrouping);
        int workers = cfg.DataLoader.NumWorkers;
        var decoded = ImagePrefetcher.Decode(batches.SelectMany(b => b).ToList(), i => dataset.LoadImage(i, cfg.Input.MaxImagePixels), workers, ahead: 2 * workers * (imagesPerBatch ?? cfg.Test.ImsPerBatch));

        var resultsAt = new Dictionary<int, IReadOnlyList<CocoResult>>();
        var skipped = new List<long>();
        var clock = Stopwatch.StartNew();
        int done = 0;
        using var next = decoded.GetEnumerator();
        foreach (var batch in batches)
        {
            cancel.ThrowIfCancellationRequested();
            var images = new List<DecodedImage<int>>(batch.Length);
            try
            {
                for (int k = 0; k < batch.Length && next.MoveNext(); k++) images.Add(next.Current);
                foreach (var bad in images.Where(d => d.Error is not null))
                {
                    long id = dataset.ImageIdAt(bad.Item);
                    if (!cfg.DataLoader.SkipBadSamples)
                        throw new DataException($"{bad.Error!.Message} (dataset {dataset.Name}, image id {id}; set DATALOADER.SKIP_BAD_SAMPLES True to skip such images)");
                    log?.WriteLine($"warning: skipping image id {id} of {dataset.Name}: {bad.Error!.Message}");
                    skipped.Add(id);
                }
                var good = images.Where(d => d.Image is not null).ToList();
                if (good.Count > 0)
                {
                    using var scope = torch.NewDisposeScope();
                    var detections = predictor.Predict(good.Select(d => d.Image!).ToList());
                    for (int k = 0; k < good.Count; k++)
                        resultsAt[good[k].Item] = converter.Convert(dataset.ImageIdAt(good[k].Item), detections[k]);
                }
            }
            finally
            {
                foreach (var d in images) d.Image?.Dispose();
            }
            done += batch.Length;
            progress?.Invoke(new InferenceProgress(done, positions.Count, clock.Elapsed));
        }

        // As maskrcnn-benchmark gathers predictions by dataset index before converting: image id order, whatever the batches.
        var covered = positions.Where(resultsAt.ContainsKey).ToList();
        var all = covered.SelectMany(p => resultsAt[p]).ToList();
        return new DatasetInferenceResult(
            covered.Select(dataset.ImageIdAt).ToList(),
            all.Select(CocoResultConverter.ForBboxFile).ToList(),
            predictor.HasMasks ? all.Select(CocoResultConverter.ForSegmFile).ToList() : null,
            predictor.HasKeypoints ? all.Select(CocoResultConverter.ForKeypointsFile).ToList() : null,
            skipped.Order().ToList(),
            clock.Elapsed);
    }
}
