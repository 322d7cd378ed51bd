using System.CommandLine;
using MaskRcnn.Config;
using MaskRcnn.Distributed;
using MaskRcnn.Engine;
using MaskRcnn.Evaluation;
using MaskRcnn.Inference;

namespace MaskRcnn.Cli;

/// <summary>
/// <c>maskrcnn eval</c>: COCO bbox/segm/keypoints AP. Model mode (<c>--config</c>) runs the model over DATASETS.TEST and
/// evaluates bbox, segm with MODEL.MASK_ON and keypoints with MODEL.KEYPOINT_ON (optionally one <c>--shard K/N</c> at a time, joined by <c>--merge-shards N</c>); standalone mode
/// (<c>--gt</c> + <c>--results</c>) scores a results file of any detector.
/// </summary>
public static class EvalCommand
{
    public static Command Build(TextWriter stdout, IProcessGroup group)
    {
        var config = ConfigCommand.ConfigFile();
        var overrides = ConfigCommand.Overrides();
        var weights = new Option<string?>("--weights", "-w") { Description = "Checkpoint to evaluate (default: OUTPUT_DIR/last_checkpoint, else MODEL.WEIGHT)" };
        var shard = new Option<string?>("--shard") { Description = "Run only slice K of N of each test dataset (K = 1..N), e.g. 2/4" };
        var merge = new Option<int?>("--merge-shards") { Description = "Join the N shards written by --shard runs and evaluate the whole" };
        var gt = new Option<string?>("--gt") { Description = "Standalone mode: ground-truth COCO annotations" };
        var results = new Option<string?>("--results") { Description = "Standalone mode: COCO results file to score" };
        var iouType = new Option<string>("--iou-type") { Description = "Standalone mode: bbox, segm, keypoints, both (= bbox,segm) or a comma-separated list", DefaultValueFactory = _ => "both" };
        var output = new Option<string>("--output", "-o") { Description = "Standalone mode: JSON file for all numbers", DefaultValueFactory = _ => "coco_eval.json" };
        var command = new Command("eval", "COCO bbox/segm/keypoints evaluation identical to pycocotools: of the configured model on DATASETS.TEST " +
                                          "(--config), or of a results file (--gt, --results)")
            { config, weights, shard, merge, gt, results, iouType, output, overrides };
        command.SetAction(result =>
        {
            if (result.GetValue(gt) is { } gtPath)
            {
                if (result.GetValue(results) is not { } resultsPath) throw new ConfigException("--gt needs --results RESULTS.json");
                if (result.GetValue(config) is not null) throw new ConfigException("give either --config (evaluate a model) or --gt/--results (score a file), not both");
                ResultsEvaluation.RunFiles(gtPath, resultsPath, IouTypes.Parse(result.GetValue(iouType)!), result.GetValue(output)!, stdout);
                return MaskRcnnCommandLine.Ok;
            }
            if (result.GetValue(results) is not null) throw new ConfigException("--results needs --gt ANNOTATIONS.json");
            if (result.GetValue(config) is null) throw new ConfigException("give --config X.yaml to evaluate a model, or --gt and --results to score a results file");
            var cfg = ConfigLoader.Load(result.GetValue(config), result.GetValue(overrides) ?? []);
            ProcessGroups.AssignDevice(cfg, group);
            bool live = !Console.IsOutputRedirected && ReferenceEquals(stdout, Console.Out);
            var runner = new TestRunner(cfg, stdout, live, group);
            if (result.GetValue(merge) is { } count)
            {
                if (result.GetValue(shard) is not null) throw new ConfigException("--merge-shards joins finished shards; do not give --shard with it");
                runner.Merge(count >= 1 ? count : throw new ConfigException($"--merge-shards must be at least 1, got {count}"));
                return MaskRcnnCommandLine.Ok;
            }
            var part = ParseShard(result.GetValue(shard)); // checked before the model is built
            using var predictor = Predictor.Load(cfg, result.GetValue(weights), stdout);
            using var stop = new StopSignals(stdout, "stopping after this batch; no results are written for the unfinished dataset");
            try
            {
                runner.Run(predictor, part, stop.Token);
            }
            catch (OperationCanceledException) when (stop.Stopped)
            {
                stdout.WriteLine($"eval stopped by {stop.SignalName} before the end: results were written only for the datasets finished before it");
                return stop.ExitCode;
            }
            return MaskRcnnCommandLine.Ok;
        });
        return command;
    }

    static Shard? ParseShard(string? value)
    {
        if (value is null) return null;
        var parts = value.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int k) || !int.TryParse(parts[1], out int n) || n < 1 || k < 1 || k > n)
            throw new ConfigException($"--shard must be K/N with 1 <= K <= N, e.g. 2/4; got '{value}'");
        return new Shard(k - 1, n);
    }
}
