using System.CommandLine;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.Config;
using MaskRcnn.Data;
using MaskRcnn.Data.Coco;
using MaskRcnn.Distributed;
using MaskRcnn.Pickle;
using MaskRcnn.SafeTensors;
using MaskRcnn.WeightFiles;

namespace MaskRcnn.Cli;

/// <summary>The verbs and the shared error policy: one line on stderr; exit code 2 for usage errors and bad input
/// (<see cref="IsBadInput"/>), 1 for failures while running; <c>--verbose</c> adds the stack trace.</summary>
public static class MaskRcnnCommandLine
{
    public const int Ok = 0, RuntimeError = 1, UsageError = 2;

    public static readonly Option<bool> Verbose = new("--verbose") { Description = "Show stack traces on errors", Recursive = true };

    public static RootCommand Build(TextWriter stdout, IProcessGroup? group = null)
    {
        group ??= SingleProcess.Instance;
        var root = new RootCommand("maskrcnn: train, evaluate and run Mask R-CNN models configured like maskrcnn-benchmark");
        root.Options.Add(Verbose);
        root.Subcommands.Add(ConfigCommand.Build(stdout));
        root.Subcommands.Add(DataCommand.Build(stdout));
        root.Subcommands.Add(TrainCommand.Build(stdout, group));
        root.Subcommands.Add(ConvertCommand.Build(stdout));
        root.Subcommands.Add(EvalCommand.Build(stdout, group));
        root.Subcommands.Add(PredictCommand.Build(stdout, group));
        return root;
    }

    /// <param name="group">The processes of an MPI launch (rank 0 prints; errors name the rank that had them).</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, IProcessGroup? group = null)
    {
        var root = Build(stdout, group);
        string who = group is { Size: > 1, Rank: var rank } ? $"maskrcnn (rank {rank} of {group.Size})" : "maskrcnn";
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            stderr.WriteLine($"maskrcnn: {string.Join("; ", parsed.Errors.Select(e => e.Message))} (see 'maskrcnn --help')");
            return UsageError;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsBadInput(e))
        {
            Report(stderr, e, parsed.GetValue(Verbose), who);
            return UsageError;
        }
        catch (Exception e)
        {
            Report(stderr, e, parsed.GetValue(Verbose), who);
            return RuntimeError;
        }
    }

    /// <summary>A problem with what the user gave (a config, a data or weight file, an image): theirs to fix, like a bad
    /// option, so exit code 2; anything else is a failure while running (1).</summary>
    internal static bool IsBadInput(Exception e) =>
        e is ConfigException or DataException or WeightFileException or SafeTensorsException or WeightFileFormatException or PickleException or ImageDecodeException or DistributedException;

    /// <summary>The one-line error (and with <c>--verbose</c> the stack trace) every verb reports failures with.</summary>
    internal static void Report(TextWriter stderr, Exception e, bool verbose, string who = "maskrcnn")
    {
        stderr.WriteLine($"{who}: error: {e.Message.ReplaceLineEndings(" ")}");
        if (verbose) stderr.WriteLine(e);
    }
}
