using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using MaskRcnn.Checkpoint;
using MaskRcnn.Config;
using MaskRcnn.Data;
using MaskRcnn.Data.Loading;
using MaskRcnn.Data.Transforms;
using MaskRcnn.Modeling;
using MaskRcnn.Solver;
using MaskRcnn.Structures;
using MaskRcnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Engine;

/// <summary>
/// maskrcnn-benchmark's do_train: iteration-based SGD on <c>DATASETS.TRAIN</c> with the warm-up schedule, a
/// checkpoint every <c>SOLVER.CHECKPOINT_PERIOD</c> iterations and at the end, resuming from
/// <c>OUTPUT_DIR/last_checkpoint</c> at the same iteration, learning rate and data. Logs smoothed losses to the
/// console, <c>log.txt</c>, <c>metrics.jsonl</c> and TensorBoard event files, plots them to <c>loss.png</c> at the end,
/// and saves the merged config as <c>config.yaml</c>. A stop
/// request (Ctrl-C, SIGTERM) finishes the current iteration and writes a checkpoint. One run per OUTPUT_DIR at a time
/// (<see cref="RunLock"/>); a loss or a weight that goes non-finite stops it, as does a full disk, each with one line
/// saying what is left intact.
/// </summary>
public sealed class Trainer(MaskRcnnConfig cfg, TrainingOptions options, TextWriter console)
{
    public TrainingResult Run(CancellationToken stop = default)
    {
        var outputDir = cfg.OutputDir;
        if (cfg.Solver.CheckpointsToKeep < 0)
            throw new ConfigException($"SOLVER.CHECKPOINTS_TO_KEEP must be 0 (keep all) or more, got {cfg.Solver.CheckpointsToKeep}");
        try
        {
            using var runLock = RunLock.Acquire(outputDir);
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
        bool tornMetrics = EndTornLine(Path.Combine(outputDir, "metrics.jsonl"));
        using var log = new StreamWriter(Path.Combine(outputDir, "log.txt"), append: true) { AutoFlush = true };
        var metricsPath = Path.Combine(outputDir, "metrics.jsonl");
        using var metrics = new StreamWriter(metricsPath, append: true) { AutoFlush = true };
        void Say(string line)
        {
            if (options.LiveProgress) console.Write("\r\u001b[K");
            console.WriteLine(line);
            log.WriteLine($"{DateTime.Now:yyyy-MM-dd HH:mm:ss} {line}");
        }

        // Our own temporaries from a save that was killed; this process holds the folder's lock, so no other run writes here.
        if (AtomicFile.RemoveStaleTemporaries(outputDir) is { Count: > 0 } removed)
            Say($"removed {removed.Count} unfinished temporary file(s) of an interrupted save: {string.Join(", ", removed)}");
        if (tornMetrics) Say("metrics.jsonl ended in a torn line (an interrupted run); new records start on the next line");

        int seed = cfg.Seed >= 0 ? cfg.Seed : Random.Shared.Next(1 << 30);
        var device = ModelDevice.Resolve(cfg.Model.Device);
        torch.manual_seed(seed);
        var model = ModelBuilder.Build(cfg);
        model.to(device);
        var solver = SolverOptions.From(cfg);
        var optimizer = OptimizerBuilder.Build(model, solver);
        var schedule = LrSchedule.Create(solver);
        var generator = new Generator((ulong)seed);
        model.SamplingGenerator = generator;
        var checkpointer = new Checkpointer(model, optimizer, outputDir, generator, seed,
            cfg.Solver.CheckpointsToKeep, ModelIdentity.Of(cfg), Say);

        long start = 0;
        var resumed = options.Resume ? checkpointer.LoadLatest() : null;
        if (resumed is not null)
        {
            start = resumed.Iteration;
            seed = resumed.DataLoaderSeed ?? seed;
            Say($"resuming from {resumed.Path} at iteration {start}");
        }
        else if (ModelWeights.Load(model, cfg.Model.Weight, console) is { } report)
            Say($"loaded {cfg.Model.Weight}: {report.Loaded.Count} tensors ({report.Scheme})");
        AtomicFile.WriteAllText(Path.Combine(outputDir, "config.yaml"), $"# seed {seed}\n" + ConfigWriter.ToYaml(cfg));
        // TensorBoard event files, for `tensorboard --logdir OUTPUT_DIR`; only once resuming was accepted.
        var tensorboard = torch.utils.tensorboard.SummaryWriter(outputDir);

        var catalog = DatasetCatalog.Create(cfg.PathsCatalog);
        if (cfg.Datasets.Train.Length == 0) throw new ConfigException("DATASETS.TRAIN is empty: name at least one dataset to train on");
        var parts = cfg.Datasets.Train.Select(name => CocoDetectionDataset.Open(catalog.Get(name), forTraining: true)).ToList();
        // Checked here, not when the mask head first meets such an annotation in some batch.
        if (cfg.Model.MaskOn)
            foreach (var part in parts)
                part.Coco.RequireSegmentations($"MODEL.MASK_ON trains a mask for every annotation of {part.Name}: add the masks, " +
                                               "remove those annotations, or set MODEL.MASK_ON False to train boxes only");
        IDetectionDataset dataset = parts.Count == 1 ? parts[0] : new ConcatDetectionDataset(parts);
        if (dataset.NumClasses > cfg.Model.NumClasses)
            throw new ConfigException($"{cfg.Model.NumClassesKey} is {cfg.Model.NumClasses} but {dataset.Name} has {dataset.NumClasses - 1} categories (+1 background)");
        var loader = new TrainingDataLoader(dataset, DetectionTransform.ForTraining(cfg), DataLoaderOptions.ForTraining(cfg, seed), log);

        int maxIter = cfg.Solver.MaxIter, period = cfg.Solver.CheckpointPeriod;
        Say($"training {cfg.Model.Backbone.ConvBody} on {dataset.Name} ({dataset.Count} images) for iterations {start}..{maxIter} on {device}, seed {seed}");
        var meters = new MetricLogger();
        var clock = Stopwatch.StartNew();
        string lastCheckpoint = resumed?.Path ?? "";
        long iteration = start;
        // The loss is checked before each step; the weights after it (a finite loss can still give an infinite step).
        var trained = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, (Tensor)p.parameter)).ToList();
        string Intact() => lastCheckpoint.Length > 0 ? $"The last good checkpoint, {lastCheckpoint}, is intact." : "No checkpoint was written yet.";
        model.train();
        var wait = Stopwatch.StartNew();
        foreach (var batch in loader.Batches((int)start, maxIter))
        {
            double dataSeconds = wait.Elapsed.TotalSeconds;
            var step = Stopwatch.StartNew();
            using (batch)
            using (var scope = torch.NewDisposeScope())
            {
                iteration = batch.Iteration;
                // maskrcnn-benchmark steps its scheduler before each iteration, so iteration i runs at lr(i + 1).
                schedule.Apply(optimizer, iteration + 1);
                var images = batch.Images.To(device);
                var targets = batch.Targets.Select(t => t.To(device)).ToList();
                var losses = model.Losses(images, targets);
                var values = losses.ToDictionary(kv => kv.Key, kv => kv.Value.item<float>());
                foreach (var (name, value) in values)
                    if (!float.IsFinite(value))
                        throw new TrainingDivergedException($"iteration {iteration}: {name} is {value}; stopping. {Intact()}");
                var total = losses.Values.Aggregate((a, b) => a + b);
                optimizer.zero_grad();
                total.backward();
                if (solver.ClipGradientsNorm > 0) GradientClipping.Apply(optimizer, solver.ClipGradientsNorm);
                optimizer.step();
                if (NonFinite.First(trained) is { } bad)
                    throw new TrainingDivergedException($"iteration {iteration}: parameter {bad} holds NaN or infinity after the step; stopping. {Intact()}");
                meters.Update("loss", values.Values.Sum());
                foreach (var (name, value) in values) meters.Update(name, value);
            }
            meters.Update("time", step.Elapsed.TotalSeconds + dataSeconds);
            meters.Update("data", dataSeconds);
            long done = iteration + 1;
            bool logNow = done % options.LogPeriod == 0 || done == maxIter;
            if (options.LiveProgress || logNow)
            {
                var line = ProgressLine(done, maxIter, meters, schedule.LearningRate(iteration + 1));
                if (logNow)
                {
                    Say(line);
                    WriteMetrics(metrics, done, meters, schedule.LearningRate(iteration + 1));
                    foreach (var (name, meter) in meters.Meters) tensorboard.add_scalar(name, (float)meter.Median, (int)done);
                    tensorboard.add_scalar("lr", (float)schedule.LearningRate(iteration + 1), (int)done);
                }
                else console.Write("\r\u001b[K" + line);
            }
            if (period > 0 && done % period == 0 && done < maxIter) lastCheckpoint = checkpointer.Save(done);
            if (stop.IsCancellationRequested)
            {
                lastCheckpoint = checkpointer.Save(done);
                Visualization.LossPlot.Write(metricsPath, Path.Combine(outputDir, "loss.png"), skipped: Say);
                Say($"stopped after iteration {done}: checkpoint {lastCheckpoint}; run the same command again to resume (--no-resume starts over)");
                return new TrainingResult(done, lastCheckpoint, true, loader.SkippedSamples);
            }
            wait.Restart();
        }
        var final = checkpointer.SaveFinal(maxIter);
        Visualization.LossPlot.Write(metricsPath, Path.Combine(outputDir, "loss.png"), skipped: Say);
        Say($"done: {maxIter} iterations in {Duration.Format(clock.Elapsed)}; weights {final}" +
            (loader.SkippedSamples > 0 ? $"; {loader.SkippedSamples} unreadable images skipped" : ""));
        return new TrainingResult(maxIter, final, false, loader.SkippedSamples);
    }

    /// <summary>A run killed while appending leaves metrics.jsonl without its last newline: end that line so the next
    /// record is not glued to it. True when it did.</summary>
    static bool EndTornLine(string metricsPath)
    {
        if (!File.Exists(metricsPath)) return false;
        using var file = new FileStream(metricsPath, FileMode.Open, FileAccess.ReadWrite);
        if (file.Length == 0) return false;
        file.Seek(-1, SeekOrigin.End);
        if (file.ReadByte() == '\n') return false;
        file.WriteByte((byte)'\n');
        return true;
    }

    static string ProgressLine(long done, int maxIter, MetricLogger meters, double lr)
    {
        double perIteration = meters["time"].Median;
        var eta = TimeSpan.FromSeconds(perIteration * (maxIter - done));
        long memory = Environment.WorkingSet / (1024 * 1024);
        var losses = meters.Format(meters.Meters.Keys.Where(k => k.StartsWith("loss")));
        return string.Create(CultureInfo.InvariantCulture,
            $"iter {done}/{maxIter}  eta {Duration.Format(eta)}  {losses}  lr {lr:G4}  time {perIteration:F3}s  data {meters["data"].Median:F3}s  mem {memory} MB");
    }

    static void WriteMetrics(StreamWriter metrics, long done, MetricLogger meters, double lr)
    {
        var record = new Dictionary<string, object> { ["iteration"] = done, ["lr"] = lr };
        foreach (var (name, meter) in meters.Meters) record[name] = meter.Median;
        metrics.WriteLine(JsonSerializer.Serialize(record));
    }
}
