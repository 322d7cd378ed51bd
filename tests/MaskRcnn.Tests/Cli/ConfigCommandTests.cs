using static MaskRcnn.Tests.Cli.CliRun;

namespace MaskRcnn.Tests.Cli;

public class ConfigCommandTests
{
    static string Reference(string name) => Path.Combine(TestPaths.Configs, name);

    [Fact]
    public void PrintsTheMergedConfigWithOverrides()
    {
        var (code, output, err) = Run("config", "--config", Reference("e2e_mask_rcnn_R_50_FPN_1x.yaml"), "SOLVER.BASE_LR", "0.01");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        Assert.Contains("\nSOLVER:\n  MAX_ITER: 90000\n  BASE_LR: 0.01\n", output);
        Assert.Contains("\n    CONV_BODY: R-50-FPN\n", output);
        Assert.Contains("\n  EXPECTED_RESULTS_SIGMA_TOL: 4\n", output); // a default from far down defaults.py
        Assert.Equal(171 + 10 + 18 + 24 + 1 + 2 /* MODEL.RETINANET.BBOX_REG_WEIGHTS, LOSS_NORMALIZATION */, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // every key (maskrcnn-benchmark's and ours) and every section header
    }

    [Fact]
    public void MisspelledKeyIsOneLineWithSuggestionAndExitCode2()
    {
        var (code, output, err) = Run("config", "--config", Reference("e2e_mask_rcnn_R_50_FPN_1x.yaml"), "SOLVER.BASE_LRR", "0.01");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal("maskrcnn: error: command line: unknown config key SOLVER.BASE_LRR (did you mean SOLVER.BASE_LR?)\n", err.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void ValidateOnlyChecks()
    {
        var file = Reference("e2e_faster_rcnn_R_50_C4_1x.yaml");
        var (code, output, _) = Run("config", "--config", file, "--validate");
        Assert.Equal(0, code);
        Assert.Equal($"{file}: OK\n", output.ReplaceLineEndings("\n"));
        var (bad, _, err) = Run("config", "--config", Reference(Path.Combine("dcn", "e2e_mask_rcnn_dconv_R_50_FPN_1x.yaml")), "--validate");
        Assert.Equal(2, bad);
        Assert.Contains("not supported yet: MODEL.RESNETS.STAGE_WITH_DCN", err);
    }

    [Fact]
    public void UsageErrorsExitWith2()
    {
        Assert.Equal(2, Run("frobnicate").Code);
        Assert.Equal(2, Run("config", "--config", "does-not-exist.yaml").Code);
        Assert.Equal(2, Run("config", "--no-such-option").Code);
    }

    [Fact]
    public void VerboseAddsTheStackTrace()
    {
        var (_, _, quiet) = Run("config", "SOLVER.MAX_ITER", "x");
        var (_, _, verbose) = Run("config", "SOLVER.MAX_ITER", "x", "--verbose");
        Assert.Single(quiet.Trim().Split('\n'));
        Assert.Contains(" at ", verbose);
    }

    [Fact]
    public void DefaultsWithoutAFile()
    {
        var (code, output, _) = Run("config");
        Assert.Equal(0, code);
        Assert.Contains("\n  DEVICE: cuda\n", output);
    }
}
