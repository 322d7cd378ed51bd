using System.Diagnostics;
using MaskRcnn.Checkpoint;
using MaskRcnn.Data.Loading;
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
/// every <c>period</c> iterations, on a stop request, and at the end.
/// </summary>
sealed class TrainingLoop(Detector model, torch.optim.Optimizer optimizer, LrSchedule schedule, SolverOptions solver,
    Device device, Checkpointer checkpointer, TrainingEventWriters writers, int logPeriod, Action<string> say)
{
    string lastCheckpoint = "";

    public TrainingResult Run(TrainingDataLoader loader, long start, int maxIter, int period, string resumedFrom, CancellationToken stop)
    {
        var meters = new MetricLogger();
        var clock = Stopwatch.StartNew();
        lastCheckpoint = resumedFrom;
        // The loss is checked before each step; the weights after it (a finite loss can still give an infinite step).
        var trained = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, (Tensor)p.parameter)).ToList();
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
            if (period > 0 && done % period == 0 && done < maxIter) lastCheckpoint = checkpointer.Save(done);
            if (stop.IsCancellationRequested)
            {
                lastCheckpoint = checkpointer.Save(done);
                writers.Finish();
                say($"stopped after iteration {done}: checkpoint {lastCheckpoint}; run the same command again to resume (--no-resume starts over)");
                return new TrainingResult(done, lastCheckpoint, true, loader.SkippedSamples);
            }
            wait.Restart();
        }
        var final = checkpointer.SaveFinal(maxIter);
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

    string Intact() => lastCheckpoint.Length > 0 ? $"The last good checkpoint, {lastCheckpoint}, is intact." : "No checkpoint was written yet.";
}
