using System.CommandLine;
using MaskRcnn.Config;

namespace MaskRcnn.Cli;

/// <summary><c>maskrcnn config</c>: prints the fully merged config, or with <c>--validate</c> only checks it.</summary>
public static class ConfigCommand
{
    public static Option<string?> ConfigFile() => new("--config", "-c") { Description = "YAML config file (maskrcnn-benchmark format)" };

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
        var command = new Command("config", "Show the merged config (defaults + YAML + overrides) as YAML") { config, validate, overrides };
        command.SetAction(result =>
        {
            var file = result.GetValue(config);
            var cfg = ConfigLoader.Load(file, result.GetValue(overrides) ?? []);
            stdout.Write(result.GetValue(validate) ? $"{file ?? "defaults"}: OK\n" : ConfigWriter.ToYaml(cfg));
            return MaskRcnnCommandLine.Ok;
        });
        return command;
    }
}
