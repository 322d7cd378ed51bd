using System.CommandLine;
using System.Globalization;
using MaskRcnn.Config;
using MaskRcnn.Distributed;
using MaskRcnn.Engine;
using MaskRcnn.Inference;

namespace MaskRcnn.Cli;

/// <summary><c>maskrcnn predict</c>: runs the configured model over image files or folders and writes overlays, optional
/// instance masks and predictions.json (<see cref="FolderPrediction"/>). A progress bar on a terminal; on Ctrl-C or SIGTERM
/// it stops after the current batch and still writes the JSON for the images done (<see cref="StopSignals"/>).</summary>
public static class PredictCommand
{
    public static Command Build(TextWriter stdout, IProcessGroup group)
    {
        var config = ConfigCommand.ConfigFile();
        config.Required = true;
        var overrides = ConfigCommand.Overrides();
        var weights = new Option<string?>("--weights", "-w")
        {
            Description = "Checkpoint or weights file (default: the one OUTPUT_DIR/last_checkpoint names, else MODEL.WEIGHT)",
        };
        var input = new Option<string[]>("--input", "-i")
        {
            Description = "Image files and/or folders (jpg, jpeg, png, bmp, webp, gif); several may follow one --input",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string>("--output", "-o") { Description = "Folder for overlays, masks and predictions.json", Required = true };
        var threshold = new Option<double>("--score-threshold")
        {
            Description = "Drop detections scoring below this (overlays, masks and JSON)",
            DefaultValueFactory = _ => 0.7,
        };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Also search the input folders' subfolders" };
        var saveMasks = new Option<bool>("--save-masks") { Description = "Also write NAME.masks.png: pixel = detection number (1-based), 0 = background" };
        var classes = new Option<string?>("--classes")
        {
            Description = "Class names: one per line for labels 1..K, or a COCO .json whose categories name them " +
                          "(default: the checkpoint's, else the config's dataset's, else COCO's for known COCO weights, else 'class N')",
        };
        var command = new Command("predict", "Detect objects in images: overlays, instance masks and COCO-format predictions.json")
            { config, weights, input, output, threshold, recursive, saveMasks, classes, overrides };
        command.SetAction(result =>
        {
            var cfg = ConfigLoader.Load(result.GetValue(config), result.GetValue(overrides) ?? []);
            ProcessGroups.AssignDevice(cfg, group);
            double scoreThreshold = result.GetValue(threshold);
            if (!double.IsFinite(scoreThreshold) || scoreThreshold < 0 || scoreThreshold > 1)
                throw new ConfigException($"--score-threshold must be between 0 and 1, got {scoreThreshold.ToString(CultureInfo.InvariantCulture)}");
            var outputDir = result.GetValue(output)!;
            var images = ImageInputs.Find(result.GetValue(input) ?? [], result.GetValue(recursive), outputDir);
            var stderr = result.InvocationConfiguration.Error;
            // A bad classes file fails before the model is built.
            var named = result.GetValue(classes) is { } classesPath ? ClassesFile.Load(classesPath, cfg.Model) : null;
            using var predictor = Predictor.Load(cfg, result.GetValue(weights), stderr);
            var categories = CategoryResolution.Resolve(cfg, named, predictor.LoadReport, note => stderr.WriteLine($"maskrcnn: note: {note}"));
            stdout.WriteLine($"predicting {images.Count} image(s) with {predictor.WeightsPath} on {predictor.Device.type.ToString().ToLowerInvariant()}");
            stdout.WriteLine(categories.Summary);

            bool live = !Console.IsOutputRedirected && ReferenceEquals(stdout, Console.Out);
            var stop = new StopSignals(stdout, "stopping after this batch; predictions.json will hold the images done");
            try
            {
                var run = new FolderPrediction(predictor, categories, new FolderPredictionOptions(images, outputDir, scoreThreshold, result.GetValue(saveMasks)));
                var summary = run.Run(
                    progress: live ? p => stdout.Write("\r\u001b[K" + ProgressBar(p)) : null,
                    skipped: file =>
                    {
                        if (live) stdout.Write("\r\u001b[K");
                        stderr.WriteLine($"maskrcnn: warning: {file.Path}: {file.Reason} (skipped)");
                    },
                    stop: stop.Token,
                    processes: group);
                if (live) stdout.WriteLine();
                stdout.WriteLine(Summary(summary, scoreThreshold, outputDir));
                return summary.Interrupted ? stop.ExitCode : MaskRcnnCommandLine.Ok;
            }
            finally { stop.Dispose(); }
        });
        return command;
    }

    static string ProgressBar(InferenceProgress p)
    {
        const int width = 30;
        int filled = p.Total == 0 ? width : (int)((long)width * p.Done / p.Total);
        var eta = p.Eta is { } t ? Duration.Format(t) : "?";
        return string.Create(CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('.', width - filled)}] {p.Done}/{p.Total}  {p.ImagesPerSecond:F1} images/s  eta {eta}");
    }

    static string Summary(FolderPredictionSummary s, double threshold, string outputDir) => string.Create(CultureInfo.InvariantCulture,
        $"{(s.Interrupted ? "stopped early: " : "")}{s.Images} image(s), {s.Detections} detection(s) scoring {threshold:0.###} or more, " +
        $"{s.Skipped.Count} unreadable file(s) skipped, in {Duration.Format(s.Elapsed)}; overlays and {Path.GetFileName(s.PredictionsPath)} in {outputDir}");
}
