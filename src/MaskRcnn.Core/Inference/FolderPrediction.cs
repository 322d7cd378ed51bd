using System.Diagnostics;
using MaskRcnn.Config;
using MaskRcnn.Data;
using MaskRcnn.Data.Coco;
using MaskRcnn.Distributed;
using MaskRcnn.IO;
using MaskRcnn.Modeling;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using MaskRcnn.Tensors;
using MaskRcnn.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Inference;

/// <summary>
/// <c>maskrcnn predict</c>'s work: runs a <see cref="Predictor"/> over image files and writes, per image, an overlay
/// (<see cref="DetectionOverlay"/>) and optionally an instance mask PNG, and for all of them one
/// <see cref="PredictionsFile"/>. Detections under the score threshold are dropped; the rest are sorted by score (best
/// first), which is their order in the JSON and their number in the mask image. Images are decoded ahead on
/// <c>DATALOADER.NUM_WORKERS</c> threads and run <c>TEST.IMS_PER_BATCH</c> at a time, landscape and portrait apart
/// under <c>DATALOADER.ASPECT_RATIO_GROUPING</c> (a batch is padded to its largest image). Unreadable files, and images
/// over <c>INPUT.MAX_IMAGE_PIXELS</c> (refused from their header), are reported and skipped; if none can be read, that is
/// the error. Over several processes (an MPI launch) each rank predicts its contiguous slice of the inputs with its share
/// of TEST.IMS_PER_BATCH and writes their overlays; rank 0 gathers the rest and writes the one predictions.json.
/// </summary>
/// <remarks>
/// Mask images hold, per pixel, 0 for background or k for the image's k-th detection (1-based, the k-th of its
/// entries in predictions.json); where masks overlap, the better-scoring one. 8-bit grayscale when an image has at
/// most 255 detections, otherwise 16-bit.
/// </remarks>
public sealed class FolderPrediction(Predictor predictor, DetectionCategories categories, FolderPredictionOptions options)
{
    public FolderPredictionSummary Run(Action<InferenceProgress>? progress = null, Action<SkippedFile>? skipped = null, CancellationToken stop = default,
        IProcessGroup? processes = null)
    {
        var ranks = processes ?? SingleProcess.Instance;
        var cfg = predictor.Config;
        int share = BatchShare.Of(cfg.Test.ImsPerBatch, ranks.Size, "TEST.IMS_PER_BATCH");
        if (options.SaveMasks && !predictor.HasMasks)
            throw new ConfigException("saving masks needs a model that predicts them (MODEL.MASK_ON True)");
        if (categories.NumClasses != cfg.Model.NumClasses)
            throw new ConfigException($"{cfg.Model.NumClassesKey} is {cfg.Model.NumClasses} but the class names ({categories.Source}) " +
                                      $"are for {categories.NumClasses - 1} classes (+1 background)");
        var images = options.Images;
        var outputs = PredictionOutputs.Assign(images, options.SaveMasks);
        PredictionOutputs.RefuseOverwritingInputs(images, outputs, options.OutputDir);
        var converter = new CocoResultConverter(categories, BoxConventions.Parse(cfg.Model.BoxConvention));
        Directory.CreateDirectory(options.OutputDir);
        int batchSize = Math.Max(1, share), workers = cfg.DataLoader.NumWorkers;
        var (first, last) = new Shard(ranks.Rank, ranks.Size).Range(images.Count);
        bool grouping = cfg.DataLoader.AspectRatioGrouping;

        var predicted = new List<PredictedImage>();
        var unreadable = new List<SkippedFile>();
        var groups = new[] { new List<DecodedImage<int>>(), new List<DecodedImage<int>>() }; // landscape, portrait-or-square
        var clock = Stopwatch.StartNew();
        int done = 0;
        bool interrupted = false;
        void Report() => progress?.Invoke(new InferenceProgress(done, last - first, clock.Elapsed));
        void Flush(List<DecodedImage<int>> batch)
        {
            try
            {
                using var scope = torch.NewDisposeScope();
                var detections = predictor.Predict(batch.Select(b => b.Image!).ToList());
                for (int k = 0; k < batch.Count; k++)
                    predicted.Add(WriteOutputs(batch[k].Item, batch[k].Image!, detections[k], outputs[batch[k].Item], converter));
            }
            finally
            {
                foreach (var b in batch) b.Image!.Dispose();
                done += batch.Count;
                batch.Clear();
                Report();
            }
        }

        try
        {
            var decoded = ImagePrefetcher.Decode(Enumerable.Range(first, last - first).ToList(), i => ImageDecoder.Decode(images[i].Path, cfg.Input.MaxImagePixels),
                workers, ahead: 2 * workers * batchSize);
            foreach (var d in decoded)
            {
                if (stop.IsCancellationRequested)
                {
                    d.Image?.Dispose();
                    interrupted = true;
                    break;
                }
                if (d.Error is not null)
                {
                    var file = new SkippedFile(images[d.Item].Path, ReasonOf(d.Error, images[d.Item].Path));
                    unreadable.Add(file);
                    skipped?.Invoke(file);
                    done++;
                    Report();
                    continue;
                }
                var group = groups[grouping && d.Image!.shape[1] >= d.Image.shape[2] ? 1 : 0];
                group.Add(d);
                if (group.Count == batchSize) Flush(group);
            }
            // What is left in the groups, the earlier images first.
            if (!interrupted)
                foreach (var group in groups.Where(g => g.Count > 0).OrderBy(g => g[0].Item).ToList())
                    Flush(group);
        }
        finally
        {
            foreach (var group in groups)
                foreach (var d in group) d.Image?.Dispose();
        }

        var predictionsPath = Path.Combine(options.OutputDir, PredictionOutputs.PredictionsFileName);
        if (ranks.Size > 1)
        {
            var parts = ranks.Gather(Encode(predicted, unreadable, interrupted));
            if (!ranks.IsMain) return new FolderPredictionSummary(predicted.Count, predicted.Sum(p => p.Detections.Count), unreadable, predictionsPath, interrupted, clock.Elapsed);
            (predicted, unreadable, interrupted) = Join(parts!, outputs);
        }
        if (predicted.Count == 0 && !interrupted)
            throw new DataException($"none of the {images.Count} input file(s) could be read (first: {unreadable[0].Path}: {unreadable[0].Reason})");
        PredictionsFile.Write(predictionsPath, predicted.OrderBy(p => p.Id).ToList(), categories, predictor.HasKeypoints);
        return new FolderPredictionSummary(predicted.Count, predicted.Sum(p => p.Detections.Count), unreadable, predictionsPath, interrupted, clock.Elapsed);
    }

    PredictedImage WriteOutputs(int index, Tensor image, BoxList detections, PredictionOutputs names, CocoResultConverter converter)
    {
        var kept = AboveThresholdBestFirst(detections);
        var overlayPath = OutputPath(names.Overlay);
        DetectionOverlay.Write(overlayPath, image, kept, categories.NameOf);
        if (names.Masks is { } masksName) File.WriteAllBytes(OutputPath(masksName), MaskPng(kept));
        return Predicted(index, kept.Size.Width, kept.Size.Height, names, converter.Convert(index + 1, kept));
    }

    PredictedImage Predicted(int index, int width, int height, PredictionOutputs names, IReadOnlyList<CocoResult> detections)
    {
        var input = options.Images[index];
        return new PredictedImage(index + 1, input.RelativePath.Replace('\\', '/'), input.Path, width, height, names, detections);
    }

    /// <summary>A rank's part for rank 0: per image its input index, size and detections; the files it could not read.</summary>
    static byte[] Encode(List<PredictedImage> predicted, List<SkippedFile> unreadable, bool interrupted)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream))
        {
            w.Write(interrupted);
            w.Write(predicted.Count);
            foreach (var p in predicted)
            {
                w.Write((int)(p.Id - 1));
                w.Write(p.Width);
                w.Write(p.Height);
                CocoResultBinary.Write(w, p.Detections);
            }
            w.Write(unreadable.Count);
            foreach (var u in unreadable) { w.Write(u.Path); w.Write(u.Reason); }
        }
        return stream.ToArray();
    }

    (List<PredictedImage>, List<SkippedFile>, bool) Join(byte[][] parts, IReadOnlyList<PredictionOutputs> outputs)
    {
        var predicted = new List<PredictedImage>();
        var unreadable = new List<SkippedFile>();
        bool interrupted = false;
        foreach (var part in parts)
        {
            using var r = new BinaryReader(new MemoryStream(part));
            interrupted |= r.ReadBoolean();
            for (int i = r.ReadInt32(); i > 0; i--)
            {
                int index = r.ReadInt32(), width = r.ReadInt32(), height = r.ReadInt32();
                predicted.Add(Predicted(index, width, height, outputs[index], CocoResultBinary.Read(r)));
            }
            for (int i = r.ReadInt32(); i > 0; i--) unreadable.Add(new SkippedFile(r.ReadString(), r.ReadString()));
        }
        return (predicted, unreadable, interrupted);
    }

    string OutputPath(string relative)
    {
        var path = Path.Combine(options.OutputDir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    BoxList AboveThresholdBestFirst(BoxList detections)
    {
        var scores = detections.Field(BoxFields.Scores);
        var keep = torch.nonzero(scores.ge(options.ScoreThreshold)).flatten();
        var order = scores.index_select(0, keep).sort(descending: true, stable: true).Indices;
        return detections.Select(keep.index_select(0, order));
    }

    static byte[] MaskPng(BoxList detections)
    {
        var (height, width) = (detections.Size.Height, detections.Size.Width);
        var map = detections.Count > 0
            ? InstanceLabelMap.Of(detections.Field<BitMasks>(BoxFields.Masks)).ToCpuContiguous(ScalarType.Int32)
            : torch.zeros(height, width, ScalarType.Int32);
        return GrayscalePng.Encode(map.AsSpan<int>(), width, height, detections.Count <= byte.MaxValue ? 8 : 16);
    }

    /// <summary>The decoder's reason without the path it starts with (the report names the file itself).</summary>
    static string ReasonOf(Exception error, string path) =>
        error.Message.StartsWith(path + ": ", StringComparison.Ordinal) ? error.Message[(path.Length + 2)..] : error.Message;
}
