using System.Globalization;
using System.Text.Json;
using MaskRcnn.Config;
using MaskRcnn.Data;
using MaskRcnn.Data.Coco;
using MaskRcnn.Distributed;
using MaskRcnn.Evaluation;
using MaskRcnn.IO;
using MaskRcnn.Inference;
using MaskRcnn.Structures.Keypoints;

namespace MaskRcnn.Engine;

/// <summary>
/// maskrcnn-benchmark's test_net / <c>inference()</c>: for each dataset of <c>DATASETS.TEST</c>, runs the model over
/// it, writes <c>OUTPUT_DIR/inference/&lt;dataset&gt;/bbox.json</c>, with MODEL.MASK_ON <c>segm.json</c> and with
/// MODEL.KEYPOINT_ON <c>keypoints.json</c> (COCO results, original category ids and image coordinates; maskrcnn-benchmark's
/// iou_types), scores them with the COCO evaluator, and writes the report
/// (<c>coco_eval.txt</c>) and every number (<c>coco_eval.json</c>) beside them. A shard run writes its slice's results
/// under <c>shard_K_of_N/</c> instead, and <see cref="Merge"/> joins the N slices and evaluates the whole. Over several
/// processes (<paramref name="group"/>) each rank runs its slice with its share of TEST.IMS_PER_BATCH, and rank 0
/// gathers the slices, writes and evaluates them once: the numbers of one process running the per-rank batch size.
/// </summary>
public sealed class TestRunner(MaskRcnnConfig cfg, TextWriter console, bool liveProgress, IProcessGroup? group = null)
{
    readonly IProcessGroup ranks = group ?? SingleProcess.Instance;

    public const string BboxFile = "bbox.json", SegmFile = "segm.json", KeypointsFile = "keypoints.json", ReportFile = "coco_eval.txt", NumbersFile = "coco_eval.json", ShardFile = "shard.json";

    public static string InferenceDir(MaskRcnnConfig cfg, string dataset) => Path.Combine(cfg.OutputDir, "inference", dataset);

    public static string ShardDir(MaskRcnnConfig cfg, string dataset, Shard shard) =>
        Path.Combine(InferenceDir(cfg, dataset), $"shard_{shard.Index + 1}_of_{shard.Count}");

    /// <summary>Runs and evaluates every test dataset (or writes one shard of each). Returns the evaluations per dataset
    /// (none for a shard).</summary>
    public IReadOnlyList<(string Dataset, IReadOnlyList<CocoEvaluation> Evaluations)> Run(Predictor predictor, Shard? shard = null, CancellationToken cancel = default)
    {
        if (cfg.Datasets.Test.Length == 0) throw new ConfigException("DATASETS.TEST is empty: nothing to evaluate on");
        int? perRank = null;
        if (ranks.Size > 1)
        {
            if (shard is not null) throw new ConfigException($"--shard and a launch of {ranks.Size} MPI processes both split the data: use one of them");
            perRank = BatchShare.Of(cfg.Test.ImsPerBatch, ranks.Size, "TEST.IMS_PER_BATCH");
        }
        var all = new List<(string, IReadOnlyList<CocoEvaluation>)>();
        foreach (var (name, dataset) in TestDatasets())
        {
            var part = shard ?? (ranks.Size > 1 ? new Shard(ranks.Rank, ranks.Size) : Shard.Whole);
            string over = ranks.Size > 1 ? $", over {ranks.Size} processes" : part.Count > 1 ? $", {part}" : "";
            console.WriteLine($"inference on {name} ({dataset.Count} images{over}) with {predictor.WeightsPath ?? "the trained model"}");
            var result = new DatasetInference(predictor, dataset, console).Run(part, Progress(name), cancel, perRank);
            if (liveProgress) console.WriteLine();
            if (ranks.Size > 1)
            {
                // Every rank reaches this point (or the job is aborted): rank 0 joins the slices and goes on as one process.
                var parts = ranks.Gather(InferenceResultCodec.Encode(result));
                if (!ranks.IsMain) continue;
                result = InferenceResultCodec.Join(parts!);
                part = Shard.Whole;
            }
            string skipped = result.SkippedImageIds.Count > 0 ? $"; {result.SkippedImageIds.Count} unreadable images skipped" : "";
            console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {result.ImageIds.Count} images in {result.Elapsed.TotalSeconds:F1} s ({result.ImageIds.Count / Math.Max(result.Elapsed.TotalSeconds, 1e-9):F1} images/s){skipped}"));
            var dir = part.Count > 1 ? ShardDir(cfg, name, part) : InferenceDir(cfg, name);
            WriteResults(dir, result.Bbox, result.Segm, result.Keypoints);
            if (part.Count > 1)
            {
                WriteShardFile(Path.Combine(dir, ShardFile), part, result.ImageIds);
                console.WriteLine($"wrote {dir}; when all {part.Count} shards are done: maskrcnn eval --config ... --merge-shards {part.Count}");
                continue;
            }
            var inputs = Inputs(result.Bbox, result.Segm, result.Keypoints, dir);
            var imageIds = result.SkippedImageIds.Count > 0 ? result.ImageIds : null;
            all.Add((name, Evaluate(dataset.Coco, inputs, dir, imageIds)));
        }
        return all;
    }

    /// <summary>Joins the <paramref name="shardCount"/> shards of each test dataset (all must be there), writes the whole
    /// results and evaluates them, as one unsharded run would.</summary>
    public IReadOnlyList<(string Dataset, IReadOnlyList<CocoEvaluation> Evaluations)> Merge(int shardCount)
    {
        var all = new List<(string, IReadOnlyList<CocoEvaluation>)>();
        foreach (var (name, dataset) in TestDatasets())
        {
            var bbox = new List<CocoResult>();
            List<CocoResult>? segm = null, keypoints = null;
            var imageIds = new List<long>();
            for (int i = 0; i < shardCount; i++)
            {
                var shard = new Shard(i, shardCount);
                var dir = ShardDir(cfg, name, shard);
                var shardFile = Path.Combine(dir, ShardFile);
                if (!File.Exists(shardFile))
                    throw new DataException($"{name}: {shard} is missing ({shardFile}); run maskrcnn eval --shard {i + 1}/{shardCount} first");
                var ids = ReadShardFile(shardFile, shard);
                imageIds.AddRange(ids);
                bbox.AddRange(CocoResultsFile.Load(Path.Combine(dir, BboxFile), dataset.Coco).Results);
                var segmPath = Path.Combine(dir, SegmFile);
                if (File.Exists(segmPath)) (segm ??= []).AddRange(CocoResultsFile.Load(segmPath, dataset.Coco).Results);
                var keypointsPath = Path.Combine(dir, KeypointsFile);
                if (File.Exists(keypointsPath)) (keypoints ??= []).AddRange(CocoResultsFile.Load(keypointsPath, dataset.Coco).Results);
            }
            var dirAll = InferenceDir(cfg, name);
            WriteResults(dirAll, bbox, segm, keypoints);
            var inputs = Inputs(bbox, segm, keypoints, dirAll);
            bool complete = imageIds.Count == dataset.Count;
            console.WriteLine($"{name}: merged {shardCount} shards ({imageIds.Count} of {dataset.Count} images)");
            all.Add((name, Evaluate(dataset.Coco, inputs, dirAll, complete ? null : imageIds)));
        }
        return all;
    }

    /// <summary>Opens and checks every test dataset as <see cref="Run"/> will, so that <c>train</c> meets a bad one before
    /// training rather than after it.</summary>
    public void CheckDatasets()
    {
        foreach (var _ in TestDatasets()) { }
    }

    /// <summary>Each dataset of DATASETS.TEST, opened for testing (all images, in id order), one at a time.</summary>
    IEnumerable<(string Name, CocoDetectionDataset Dataset)> TestDatasets()
    {
        var catalog = DatasetCatalog.Create(cfg.PathsCatalog);
        foreach (var name in cfg.Datasets.Test)
        {
            var dataset = CocoDetectionDataset.Open(catalog.Get(name), forTraining: false);
            // Before the model runs: segm evaluation would fail on such an annotation at the end.
            if (cfg.Model.PredictsMasks)
                dataset.Coco.RequireSegmentations($"segm evaluation (MODEL.MASK_ON) scores every annotation's mask in {name}: add the masks or remove those annotations");
            if (cfg.Model.KeypointOn)
                dataset.Coco.RequireKeypoints(PersonKeypoints.Names.Count,
                    $"keypoints evaluation (MODEL.KEYPOINT_ON) scores every annotation's keypoints in {name}: use a person_keypoints annotation file");
            yield return (name, dataset);
        }
    }

    static void WriteResults(string dir, IReadOnlyList<CocoResult> bbox, IReadOnlyList<CocoResult>? segm, IReadOnlyList<CocoResult>? keypoints)
    {
        Directory.CreateDirectory(dir);
        CocoResultsFile.Write(Path.Combine(dir, BboxFile), bbox);
        // As maskrcnn-benchmark's segm.json: masks without boxes, so pycocotools measures their area by the mask.
        if (segm is not null) CocoResultsFile.Write(Path.Combine(dir, SegmFile), segm, includeBoxes: false);
        // As its keypoints.json: keypoints without boxes, so pycocotools takes the keypoints' extent as box and area.
        if (keypoints is not null) CocoResultsFile.Write(Path.Combine(dir, KeypointsFile), keypoints, includeBoxes: false);
    }

    /// <summary>What each written file holds, measured as pycocotools measures it once read back.</summary>
    static List<(IouType, CocoResultSet)> Inputs(IReadOnlyList<CocoResult> bbox, IReadOnlyList<CocoResult>? segm, IReadOnlyList<CocoResult>? keypoints, string dir)
    {
        var inputs = new List<(IouType, CocoResultSet)> { (IouType.Bbox, CocoResultSet.InMemory(bbox, areaFromBox: true, Path.Combine(dir, BboxFile))) };
        if (segm is not null) inputs.Add((IouType.Segm, CocoResultSet.InMemory(segm, areaFromBox: false, Path.Combine(dir, SegmFile))));
        if (keypoints is not null) inputs.Add((IouType.Keypoints, CocoResultSet.InMemory(keypoints, areaFromBox: false, Path.Combine(dir, KeypointsFile))));
        return inputs;
    }

    IReadOnlyList<CocoEvaluation> Evaluate(CocoFile groundTruth, List<(IouType, CocoResultSet)> inputs, string dir, IReadOnlyList<long>? imageIds)
    {
        var report = new StringWriter();
        var evaluations = ResultsEvaluation.Run(groundTruth, inputs, Path.Combine(dir, NumbersFile), report, imageIds);
        AtomicFile.WriteAllText(Path.Combine(dir, ReportFile), report.ToString());
        console.Write(report.ToString());
        return evaluations;
    }

    Action<InferenceProgress> Progress(string name)
    {
        int lastDecile = -1;
        return p =>
        {
            string line = string.Create(CultureInfo.InvariantCulture,
                $"{name}: {p.Done}/{p.Total} images  {p.ImagesPerSecond:F1} images/s  eta {Duration.Format(p.Eta ?? TimeSpan.Zero)}");
            if (liveProgress) console.Write("\r\u001b[K" + line);
            else if (p.Total > 0 && p.Done * 10 / p.Total is var decile && decile != lastDecile)
            {
                lastDecile = (int)decile;
                console.WriteLine(line);
            }
        };
    }

    static void WriteShardFile(string path, Shard shard, IReadOnlyList<long> imageIds) =>
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new { index = shard.Index + 1, count = shard.Count, image_ids = imageIds }));

    static IReadOnlyList<long> ReadShardFile(string path, Shard shard)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            if (root.GetProperty("index").GetInt32() != shard.Index + 1 || root.GetProperty("count").GetInt32() != shard.Count)
                throw new DataException($"{path}: is not {shard}");
            return root.GetProperty("image_ids").EnumerateArray().Select(x => x.GetInt64()).ToList();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new DataException($"{path}: not a shard file of maskrcnn eval: {e.Message}");
        }
    }
}
