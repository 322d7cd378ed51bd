using System.Diagnostics;
using MaskRcnn.Checkpoint;
using MaskRcnn.Data.Loading;
using MaskRcnn.Distributed;
using MaskRcnn.Engine.Events;
using MaskRcnn.Modeling.MetaArch;
using MaskRcnn.Solver;
using MaskRcnn.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Engine;

/// <summary>
/// The iterations of a <see cref="Trainer"/> run, set up: each one steps the model at the scheduled learning rate,
/// stops on a non-finite loss or weight, feeds the smoothed meters to the <paramref name="writers"/>, and checkpoints
/// every <c>period</c> iterations, on a stop request, and at the end. Over several processes (<paramref name="ranks"/>)
/// each steps on its slice of the batch with gradients averaged over all, and only rank 0 writes checkpoints.
/// </summary>
sealed class TrainingLoop(Detector model, torch.optim.Optimizer optimizer, LrSchedule schedule, SolverOptions solver,
    Device device, Checkpointer checkpointer, TrainingEventWriters writers, int logPeriod, Action<string> say, int seed, IProcessGroup ranks)
{
    string lastCheckpoint = "";
    GradientAverager? averager;

    string Save(long done) => ranks.IsMain ? checkpointer.Save(done) : Path.Combine(checkpointer.OutputDir, Checkpointer.FileNameFor(done));

    public TrainingResult Run(TrainingDataLoader loader, long start, int maxIter, int period, string resumedFrom, CancellationToken stop)
    {
        var meters = new MetricLogger();
        var clock = Stopwatch.StartNew();
        lastCheckpoint = resumedFrom;
        // The loss is checked before each step; the weights after it (a finite loss can still give an infinite step).
        var trained = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, (Tensor)p.parameter)).ToList();
        averager = new GradientAverager(trained.Select(p => p.Item2).ToList(), ranks);
        model.train();
        var wait = Stopwatch.StartNew();
        foreach (var batch in loader.Batches((int)start, maxIter))
        {
            double dataSeconds = wait.Elapsed.TotalSeconds;
            var step = Stopwatch.StartNew();
            long iteration = batch.Iteration;
            using (batch) Step(batch, iteration, trained, meters);
            meters.Update("time", step.Elapsed.TotalSeconds + dataSeconds);
            meters.Update("data", dataSeconds);
            long done = iteration + 1;
            writers.Write(new TrainingProgress(done, maxIter, schedule.LearningRate(iteration + 1), meters, done % logPeriod == 0 || done == maxIter));
            if (period > 0 && done % period == 0 && done < maxIter) lastCheckpoint = Save(done);
            if (ranks.Any(stop.IsCancellationRequested))
            {
                lastCheckpoint = Save(done);
                writers.Finish();
                say($"stopped after iteration {done}: checkpoint {lastCheckpoint}; run the same command again to resume (--no-resume starts over)");
                return new TrainingResult(done, lastCheckpoint, true, loader.SkippedSamples);
            }
            wait.Restart();
        }
        var final = ranks.IsMain ? checkpointer.SaveFinal(maxIter) : Path.Combine(checkpointer.OutputDir, Checkpointer.FinalFileName);
        writers.Finish();
        say($"done: {maxIter} iterations in {Duration.Format(clock.Elapsed)}; weights {final}" +
            (loader.SkippedSamples > 0 ? $"; {loader.SkippedSamples} unreadable images skipped" : ""));
        return new TrainingResult(maxIter, final, false, loader.SkippedSamples);
    }

    /// <summary>One SGD step on <paramref name="batch"/>, its losses added to <paramref name="meters"/>.</summary>
    void Step(DetectionBatch batch, long iteration, List<(string, Tensor)> trained, MetricLogger meters)
    {
        using var scope = torch.NewDisposeScope();
        // maskrcnn-benchmark steps its scheduler before each iteration, so iteration i runs at lr(i + 1).
        schedule.Apply(optimizer, iteration + 1);
        var images = batch.Images.To(device);
        var targets = batch.Targets.Select(t => t.To(device)).ToList();
        var generators = SamplingSeeds.Generators(seed, iteration, batch.Positions);
        Dictionary<string, Tensor> losses;
        try
        {
            model.SamplingGenerators = generators;
            losses = model.Losses(images, targets);
        }
        finally
        {
            model.SamplingGenerators = null;
            foreach (var g in generators) g.Dispose();
        }
        // The ranks' means (reduce_loss_dict), so every rank logs, and stops on, the same numbers.
        var names = losses.Keys.Order(StringComparer.Ordinal).ToArray();
        var reduced = names.Select(n => (double)losses[n].item<float>()).ToArray();
        ranks.Mean(reduced);
        var values = names.Select((n, i) => (Name: n, Value: reduced[i])).ToList();
        foreach (var (name, value) in values)
            if (!double.IsFinite(value))
                throw new TrainingDivergedException($"iteration {iteration}: {name} is {(float)value}; stopping. {Intact()}");
        var total = losses.Values.Aggregate((a, b) => a + b);
        optimizer.zero_grad();
        total.backward();
        if (ranks.Size > 1)
        {
            var reduce = Stopwatch.StartNew();
            averager!.Average();
            meters.Update("allreduce", reduce.Elapsed.TotalSeconds); // logged beside time and data: the cost of the processes
        }
        if (solver.ClipGradientsNorm > 0) GradientClipping.Apply(optimizer, solver.ClipGradientsNorm);
        optimizer.step();
        if (NonFinite.First(trained) is { } bad)
            throw new TrainingDivergedException($"iteration {iteration}: parameter {bad} holds NaN or infinity after the step; stopping. {Intact()}");
        meters.Update("loss", values.Sum(v => v.Value));
        foreach (var (name, value) in values) meters.Update(name, value);
    }

    string Intact() => lastCheckpoint.Length > 0 ? $"The last good checkpoint, {lastCheckpoint}, is intact." : "No checkpoint was written yet.";
}
