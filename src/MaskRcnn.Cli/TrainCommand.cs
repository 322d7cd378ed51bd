using System.CommandLine;
using MaskRcnn.Config;
using MaskRcnn.Distributed;
using MaskRcnn.Engine;
using MaskRcnn.Inference;

namespace MaskRcnn.Cli;

/// <summary><c>maskrcnn train</c>: trains the configured model on DATASETS.TRAIN, then evaluates it on DATASETS.TEST
/// (unless <c>--skip-test</c>); Ctrl-C or SIGTERM checkpoints and stops (<see cref="StopSignals"/>).</summary>
public static class TrainCommand
{
    public static Command Build(TextWriter stdout, IProcessGroup group)
    {
        var config = ConfigCommand.ConfigFile();
        config.Required = true;
        var overrides = ConfigCommand.Overrides();
        var noResume = new Option<bool>("--no-resume") { Description = "Start over even if OUTPUT_DIR has a last_checkpoint" };
        var skipTest = new Option<bool>("--skip-test") { Description = "Do not evaluate on DATASETS.TEST after training" };
        var logPeriod = new Option<int>("--log-period") { Description = "Iterations between log lines", DefaultValueFactory = _ => 20 };
        var command = new Command("train", "Train the configured model on DATASETS.TRAIN, checkpointing to OUTPUT_DIR")
            { config, noResume, skipTest, logPeriod, overrides };
        command.SetAction(result =>
        {
            var cfg = ConfigLoader.Load(result.GetValue(config), result.GetValue(overrides) ?? []);
            ProcessGroups.AssignDevice(cfg, group);
            if (result.GetValue(logPeriod) <= 0) throw new ConfigException($"--log-period must be positive, got {result.GetValue(logPeriod)}");
            using var stop = new StopSignals(stdout, "stopping after this iteration, with a checkpoint");
            bool live = !Console.IsOutputRedirected && ReferenceEquals(stdout, Console.Out);
            var options = new TrainingOptions(!result.GetValue(noResume), result.GetValue(logPeriod), LiveProgress: live);
            bool testAfterwards = !result.GetValue(skipTest) && cfg.Datasets.Test.Length > 0;
            if (testAfterwards) new TestRunner(cfg, stdout, live, group).CheckDatasets(); // a bad test set fails now, not after training
            var outcome = new Trainer(cfg, options, stdout, group: group).Run(stop.Token);
            if (outcome.Interrupted) return stop.ExitCode;
            // As train_net.py: evaluate the final weights on DATASETS.TEST unless told not to.
            if (testAfterwards)
            {
                using var predictor = Predictor.Load(cfg, outcome.CheckpointPath, stdout);
                try
                {
                    new TestRunner(cfg, stdout, live, group).Run(predictor, cancel: stop.Token);
                }
                catch (OperationCanceledException) when (stop.Stopped)
                {
                    stdout.WriteLine($"evaluation stopped by {stop.SignalName}; training is complete ({outcome.CheckpointPath}): " +
                                     "maskrcnn eval --config ... evaluates it");
                    return stop.ExitCode;
                }
            }
            return MaskRcnnCommandLine.Ok;
        });
        return command;
    }
}
