using MaskRcnn.Config;

namespace MaskRcnn.Tests.Config;

public class ConfigWriterTests
{
    [Fact]
    public void PrintsNestedYamlWithPythonStyleValues()
    {
        var yaml = ConfigWriter.ToYaml(new MaskRcnnConfig());
        Assert.StartsWith("MODEL:\n  RPN_ONLY: False\n", yaml);
        Assert.Contains("\n  BACKBONE:\n    CONV_BODY: R-50-C4\n", yaml);
        Assert.Contains("\n    EPSILON: 1e-05\n", yaml);
        Assert.Contains("\n  WARMUP_FACTOR: 0.3333333333333333\n", yaml);
        Assert.Contains("\n  MIN_SIZE_TRAIN: [800]\n", yaml);
        Assert.Contains("\n  TRAIN: []\n", yaml);
        Assert.Contains("\n  WEIGHT: ''\n", yaml);
        Assert.Contains("\nOUTPUT_DIR: .\n", yaml);
    }

    [Theory]
    [InlineData("runs/exp 1")]
    [InlineData("True")]
    [InlineData("123")]
    [InlineData("it's: here")]
    [InlineData("(1, 2)")]
    [InlineData("yes")]
    [InlineData("")]
    [InlineData("-x")]
    public void AwkwardStringsSurviveTheRoundTrip(string text)
    {
        var cfg = new MaskRcnnConfig { OutputDir = text };
        var again = new MaskRcnnConfig();
        ConfigLoader.MergeYaml(again, ConfigWriter.ToYaml(cfg), "printed");
        Assert.Equal(text, again.OutputDir);
    }
}
