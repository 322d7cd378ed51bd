using MaskRcnn.Checkpoint;
using MaskRcnn.Config;
using MaskRcnn.Data;
using MaskRcnn.Data.Loading;
using MaskRcnn.Data.Transforms;
using MaskRcnn.Distributed;
using MaskRcnn.Engine.Events;
using MaskRcnn.IO;
using MaskRcnn.Modeling;
using MaskRcnn.Solver;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Engine;

/// <summary>
/// maskrcnn-benchmark's do_train: iteration-based SGD on <c>DATASETS.TRAIN</c> with the warm-up schedule, a
/// checkpoint every <c>SOLVER.CHECKPOINT_PERIOD</c> iterations and at the end, resuming from
/// <c>OUTPUT_DIR/last_checkpoint</c> at the same iteration, learning rate and data. Logs smoothed losses to the
/// console, <c>log.txt</c>, <c>metrics.jsonl</c> and TensorBoard event files, plots them to <c>loss.png</c> at the end
/// (<see cref="TrainingEventWriters.Default"/>, unless given other <paramref name="writers"/>; the console and log.txt
/// still get the run's notes), and saves the merged config as <c>config.yaml</c>. The iterations themselves are a
/// <see cref="TrainingLoop"/>. A stop
/// request (Ctrl-C, SIGTERM) finishes the current iteration and writes a checkpoint. One run per OUTPUT_DIR at a time
/// (<see cref="RunLock"/>); a loss or a weight that goes non-finite stops it, as does a full disk, each with one line
/// saying what is left intact.
/// Over several processes (<paramref name="group"/>, maskrcnn-benchmark's distributed training): SOLVER.IMS_PER_BATCH is
/// the whole batch, each rank trains on its slice of it, all start from rank 0's weights, gradients are averaged before
/// clipping and the step, the logged losses are the ranks' means, and rank 0 alone holds the lock and writes logs,
/// metrics and checkpoints (in an OUTPUT_DIR every rank sees, which they all resume from). A stop request on any rank
/// stops all after the same iteration.
/// </summary>
public sealed class Trainer(MaskRcnnConfig cfg, TrainingOptions options, TextWriter console, TrainingEventWriterFactory? writers = null,
    IProcessGroup? group = null)
{
    readonly IProcessGroup ranks = group ?? SingleProcess.Instance;

    public TrainingResult Run(CancellationToken stop = default)
    {
        var outputDir = cfg.OutputDir;
        if (cfg.Solver.CheckpointsToKeep < 0)
            throw new ConfigException($"SOLVER.CHECKPOINTS_TO_KEEP must be 0 (keep all) or more, got {cfg.Solver.CheckpointsToKeep}");
        _ = DataLoaderOptions.ForTraining(cfg, 0, ranks.Rank, ranks.Size).Slice; // a batch that does not split fails now
        try
        {
            using var runLock = ranks.IsMain ? RunLock.Acquire(outputDir) : null;
            ranks.Barrier(); // nobody reads the folder before rank 0 owns it (and has removed a killed save's leftovers)
            return RunLocked(outputDir, stop);
        }
        catch (Exception e) when (NoSpaceLeftException.IsNoSpace(e))
        {
            // Logs and metrics fill the disk too; the checkpointer reports its own writes with the file it was writing.
            throw new NoSpaceLeftException($"no space left on OUTPUT_DIR {outputDir} ({e.Message}). {CheckpointState(outputDir)} " +
                                           "Free some space and run the same command again to resume.", e);
        }
    }

    static string CheckpointState(string outputDir)
    {
        try
        {
            return Checkpointer.LatestIn(outputDir) is { } latest
                ? $"{Checkpointer.LastCheckpointFileName} still names {latest}, which is complete."
                : "No checkpoint was written yet.";
        }
        catch (RunStateException e)
        {
            return e.Message;
        }
    }

    TrainingResult RunLocked(string outputDir, CancellationToken stop)
    {
        bool main = ranks.IsMain;
        bool tornMetrics = main && MetricsFileWriter.EndTornLine(Path.Combine(outputDir, MetricsFileWriter.FileName));
        using var log = main ? new StreamWriter(Path.Combine(outputDir, "log.txt"), append: true) { AutoFlush = true } : null;
        void Say(string line)
        {
            if (!main) return;
            if (options.LiveProgress) console.Write("\r\u001b[K");
            console.WriteLine(line);
            log!.WriteLine($"{DateTime.Now:yyyy-MM-dd HH:mm:ss} {line}");
        }

        // Our own temporaries from a save that was killed; this process holds the folder's lock, so no other run writes here.
        if (main && AtomicFile.RemoveStaleTemporaries(outputDir) is { Count: > 0 } removed)
            Say($"removed {removed.Count} unfinished temporary file(s) of an interrupted save: {string.Join(", ", removed)}");
        if (tornMetrics) Say("metrics.jsonl ended in a torn line (an interrupted run); new records start on the next line");

        var dataset = OpenTrainingSet();
        int seed = (int)ranks.FromRoot(cfg.Seed >= 0 ? cfg.Seed : Random.Shared.Next(1 << 30));
        var device = ModelDevice.Resolve(cfg.Model.Device);
        torch.manual_seed(seed);
        var model = ModelBuilder.Build(cfg);
        model.to(device);
        var solver = SolverOptions.From(cfg);
        var optimizer = OptimizerBuilder.Build(model, solver);
        var schedule = LrSchedule.Create(solver);
        // Random samples are seeded per image (SamplingSeeds): no generator state to checkpoint.
        var checkpointer = new Checkpointer(model, optimizer, outputDir, null, seed,
            cfg.Solver.CheckpointsToKeep, ModelIdentity.Of(cfg), Say, CategoriesToRecord(dataset, Say));

        long start = 0;
        var resumed = options.Resume ? checkpointer.LoadLatest() : null;
        if (resumed is not null)
        {
            start = resumed.Iteration;
            seed = resumed.DataLoaderSeed ?? seed;
            Say($"resuming from {resumed.Path} at iteration {start}");
        }
        else if (ModelWeights.Load(model, cfg.Model.Weight, cfg, main ? console : TextWriter.Null) is { } report)
            Say($"loaded {cfg.Model.Weight}: {report.Loaded.Count} tensors ({report.Scheme})");
        start = ranks.Agree(start, (rank, theirs, root) => $"rank {rank} would resume at iteration {theirs} but rank 0 at {root}: " +
                                                          $"OUTPUT_DIR {outputDir} must be one folder that every rank sees (a shared filesystem)");
        StateBroadcast.FromRoot(model, ranks);
        if (main) AtomicFile.WriteAllText(Path.Combine(outputDir, "config.yaml"), $"# seed {seed}\n" + ConfigWriter.ToYaml(cfg));
        // metrics.jsonl, TensorBoard event files and the rest only once resuming was accepted; rank 0's alone.
        var openWriters = !main ? (_ => []) : writers ?? (say => TrainingEventWriters.Default(outputDir, options, console, say));
        using var events = new TrainingEventWriters(openWriters(Say));

        var loader = new TrainingDataLoader(dataset, DetectionTransform.ForTraining(cfg), DataLoaderOptions.ForTraining(cfg, seed, ranks.Rank, ranks.Size), log);

        int maxIter = cfg.Solver.MaxIter, period = cfg.Solver.CheckpointPeriod;
        string processes = ranks.Size > 1 ? $" over {ranks.Size} processes ({cfg.Solver.ImsPerBatch / ranks.Size} images each per batch)" : "";
        Say($"training {cfg.Model.Backbone.ConvBody} on {dataset.Name} ({dataset.Count} images) for iterations {start}..{maxIter} on {device}{processes}, seed {seed}");
        var loop = new TrainingLoop(model, optimizer, schedule, solver, device, checkpointer, events, options.LogPeriod, Say, seed, ranks);
        return loop.Run(loader, start, maxIter, period, resumed?.Path ?? "", stop);
    }

    /// <summary>What every checkpoint records of the training set's categories, so that predict names the labels
    /// without the dataset: ids and names in label order; none (with a note) when concatenated datasets name a category differently.</summary>
    static IReadOnlyList<CheckpointCategory>? CategoriesToRecord(IDetectionDataset dataset, Action<string> say)
    {
        if (dataset.ClassNames is not { } names)
        {
            var why = (dataset as ConcatDetectionDataset)?.NameConflict ?? $"{dataset.Name} does not name its categories";
            say($"note: {why}; checkpoints will carry no class names (predict --classes FILE names them)");
            return null;
        }
        return Enumerable.Range(1, dataset.NumClasses - 1).Select(label => new CheckpointCategory(dataset.CategoryOfLabel[label], names[label])).ToList();
    }

    /// <summary>DATASETS.TRAIN, opened and checked against the model before the first iteration.</summary>
    IDetectionDataset OpenTrainingSet()
    {
        var catalog = DatasetCatalog.Create(cfg.PathsCatalog);
        if (cfg.Datasets.Train.Length == 0) throw new ConfigException("DATASETS.TRAIN is empty: name at least one dataset to train on");
        bool crowdTargets = CocoDetectionDataset.CrowdTargetsFor(cfg.Model);
        var parts = cfg.Datasets.Train.Select(name => CocoDetectionDataset.Open(catalog.Get(name), forTraining: true, crowdTargets)).ToList();
        // Checked here, not when the mask head first meets such an annotation in some batch.
        if (cfg.Model.PredictsMasks)
            foreach (var part in parts)
                part.Coco.RequireSegmentations($"MODEL.MASK_ON trains a mask for every annotation of {part.Name}: add the masks, " +
                                               "remove those annotations, or set MODEL.MASK_ON False to train boxes only");
        IDetectionDataset dataset = parts.Count == 1 ? parts[0] : new ConcatDetectionDataset(parts);
        if (dataset.NumClasses > cfg.Model.NumClasses)
            throw new ConfigException($"{cfg.Model.NumClassesKey} is {cfg.Model.NumClasses} but {dataset.Name} has {dataset.NumClasses - 1} categories (+1 background)");
        return dataset;
    }
}
