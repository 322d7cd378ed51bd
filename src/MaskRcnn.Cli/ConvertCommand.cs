using System.CommandLine;
using MaskRcnn.Checkpoint;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.Config;

namespace MaskRcnn.Cli;

/// <summary><c>maskrcnn convert</c>: reads a weight file (safetensors, PyTorch .pth, pickled .pkl) under torchvision's,
/// maskrcnn-benchmark's, Detectron's (Caffe2), detectron2's, dbolya/yolact's or our names and writes it as our checkpoint
/// (or ours as torchvision's or dbolya/yolact's safetensors).</summary>
public static class ConvertCommand
{
    public static Command Build(TextWriter stdout)
    {
        var from = new Option<string>("--from")
        {
            Description = "Naming of the input: torchvision, maskrcnn-benchmark, caffe2 (Detectron's .pkl), detectron2, yolact (dbolya/yolact), maskrcnn, or auto (detected from the names)",
            DefaultValueFactory = _ => "auto",
        };
        from.AcceptOnlyFromAmong("auto", WeightSchemeNames.Torchvision, WeightSchemeNames.MaskRcnnBenchmark, WeightSchemeNames.Caffe2,
            WeightSchemeNames.Detectron2, WeightSchemeNames.Yolact, WeightSchemeNames.MaskRcnn);
        var to = new Option<string>("--to")
        {
            Description = "Naming of the output: maskrcnn (our checkpoint format), torchvision or yolact (dbolya/yolact)",
            DefaultValueFactory = _ => WeightSchemeNames.MaskRcnn,
        };
        to.AcceptOnlyFromAmong(WeightSchemeNames.MaskRcnn, WeightSchemeNames.Torchvision, WeightSchemeNames.Yolact);
        var input = new Option<string>("--input", "-i") { Description = "Weights to read (.safetensors, PyTorch .pth/.pt, pickled .pkl; no Python needed, nothing in the file runs)", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "File to write (.safetensors)", Required = true };
        var allowUnknown = new Option<bool>("--allow-unknown") { Description = "Write the recognised weights even when some names are unknown (they are listed and left out)" };
        var command = new Command("convert", "Turn a .safetensors, .pth or .pkl weight file into our checkpoint (or ours into torchvision's or dbolya/yolact's names) and report every name")
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
