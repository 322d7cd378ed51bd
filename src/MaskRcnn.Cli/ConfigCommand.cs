using System.CommandLine;
using MaskRcnn.Config;

namespace MaskRcnn.Cli;

/// <summary><c>maskrcnn config</c>: prints the fully merged config, or with <c>--validate</c> only checks it; <c>--list</c>
/// names the configs shipped with the tool.</summary>
public static class ConfigCommand
{
    public static Option<string?> ConfigFile() => new("--config", "-c")
    {
        Description = "YAML config file (maskrcnn-benchmark format), or the name of a shipped config (see 'maskrcnn config --list')",
    };

    public static Argument<string[]> Overrides() => new("overrides")
    {
        Description = "Config overrides as KEY VALUE pairs, e.g. SOLVER.BASE_LR 0.01 MODEL.DEVICE cpu",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Command Build(TextWriter stdout)
    {
        var config = ConfigFile();
        var overrides = Overrides();
        var validate = new Option<bool>("--validate") { Description = "Only check the config; print nothing but the verdict" };
        var list = new Option<bool>("--list") { Description = "List the configs shipped with the tool, one line each with what it is" };
        var command = new Command("config", "Show the merged config (defaults + YAML + overrides) as YAML") { config, validate, list, overrides };
        command.SetAction(result =>
        {
            if (result.GetValue(list))
            {
                WriteList(stdout);
                return MaskRcnnCommandLine.Ok;
            }
            var file = result.GetValue(config);
            var cfg = ConfigLoader.Load(file, result.GetValue(overrides) ?? []);
            stdout.Write(result.GetValue(validate) ? $"{file ?? "defaults"}: OK\n" : ConfigWriter.ToYaml(cfg));
            return MaskRcnnCommandLine.Ok;
        });
        return command;
    }

    static void WriteList(TextWriter stdout)
    {
        var configs = ShippedConfigs.List();
        int width = configs.Max(c => c.Name.Length);
        stdout.WriteLine($"{configs.Count} shipped configs; pass a name to --config (a file path works too):");
        foreach (var c in configs)
            stdout.WriteLine($"  {c.Name.PadRight(width)}  {c.Description}{(c.NotSupported is { } f ? $"  [not supported yet: {f}]" : "")}");
    }
}
