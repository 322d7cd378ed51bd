using System.CommandLine;
using MaskRcnn.Data.Coco;
using MaskRcnn.Evaluation;

namespace MaskRcnn.Cli;

/// <summary><c>maskrcnn eval</c>: COCO bbox/segm AP of a results file (<c>--gt</c> + <c>--results</c>).</summary>
public static class EvalCommand
{
    public static Command Build(TextWriter stdout, TextWriter stderr)
    {
        var gt = new Option<string>("--gt") { Description = "Ground-truth COCO annotations (standalone mode)" };
        var results = new Option<string>("--results") { Description = "COCO results file to score (standalone mode)" };
        var iouType = new Option<string>("--iou-type") { Description = "bbox, segm or both", DefaultValueFactory = _ => "both" };
        var output = new Option<string>("--output") { Description = "JSON file for all numbers", DefaultValueFactory = _ => "coco_eval.json" };
        var command = new Command("eval", "COCO bbox/segm evaluation, identical to pycocotools: of a results file (--gt, --results)")
            { gt, results, iouType, output };
        command.SetAction(result =>
        {
            string? gtPath = result.GetValue(gt), resultsPath = result.GetValue(results);
            if (gtPath is null || resultsPath is null)
                throw new Config.ConfigException("give --gt ANNOTATIONS.json and --results RESULTS.json");
            var types = IouTypes.Parse(result.GetValue(iouType)!);
            try
            {
                ResultsEvaluation.RunFiles(gtPath, resultsPath, types, result.GetValue(output)!, stdout);
            }
            catch (DataException e)
            {
                // A bad input file is the user's to fix, like a bad option: exit code 2.
                stderr.WriteLine($"maskrcnn: error: {e.Message.ReplaceLineEndings(" ")}");
                return MaskRcnnCommandLine.UsageError;
            }
            return MaskRcnnCommandLine.Ok;
        });
        return command;
    }
}
