using System.CommandLine;
using MaskRcnn.Checkpoint;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.Config;

namespace MaskRcnn.Cli;

/// <summary><c>maskrcnn convert</c>: renames a safetensors weight file between torchvision's, maskrcnn-benchmark's, dbolya/yolact's and our names.</summary>
public static class ConvertCommand
{
    public static Command Build(TextWriter stdout)
    {
        var from = new Option<string>("--from")
        {
            Description = "Naming of the input: torchvision, maskrcnn-benchmark, yolact (dbolya/yolact), maskrcnn, or auto (detected from the names)",
            DefaultValueFactory = _ => "auto",
        };
        from.AcceptOnlyFromAmong("auto", WeightSchemeNames.Torchvision, WeightSchemeNames.MaskRcnnBenchmark, WeightSchemeNames.Yolact, WeightSchemeNames.MaskRcnn);
        var to = new Option<string>("--to")
        {
            Description = "Naming of the output: maskrcnn (our checkpoint format), torchvision or yolact (dbolya/yolact)",
            DefaultValueFactory = _ => WeightSchemeNames.MaskRcnn,
        };
        to.AcceptOnlyFromAmong(WeightSchemeNames.MaskRcnn, WeightSchemeNames.Torchvision, WeightSchemeNames.Yolact);
        var input = new Option<string>("--input", "-i") { Description = "Weights to read (.safetensors)", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "File to write (.safetensors)", Required = true };
        var allowUnknown = new Option<bool>("--allow-unknown") { Description = "Write the recognised weights even when some names are unknown (they are listed and left out)" };
        var command = new Command("convert", "Rename a .safetensors weight file to our names (or ours to torchvision's or dbolya/yolact's) and report every name")
        {
            from, to, input, output, allowUnknown,
        };
        command.SetAction(result =>
        {
            var inputPath = result.GetValue(input)!;
            if (!File.Exists(inputPath)) throw new ConfigException($"--input {inputPath}: no such file");
            var fromName = result.GetValue(from)!;
            var report = WeightConversion.Convert(inputPath, result.GetValue(output)!,
                fromName == "auto" ? null : WeightSchemeNames.Parse(fromName), WeightSchemeNames.Parse(result.GetValue(to)!), result.GetValue(allowUnknown));
            stdout.Write(report.Format());
            return MaskRcnnCommandLine.Ok;
        });
        return command;
    }
}
