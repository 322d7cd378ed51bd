using MaskRcnn.Cli;
using MaskRcnn.Data.Coco;
using MaskRcnn.Tests.Data;

namespace MaskRcnn.Tests.Cli;

public class DataCommandTests
{
    [Fact]
    public void WritesAShapesDataset()
    {
        using var dir = new TempDir();
        var output = Path.Combine(dir.Path, "s");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, MaskRcnnCommandLine.Run(["data", "shapes", "--output", output, "--images", "6", "--seed", "4"], stdout, stderr));
        Assert.Equal(6, CocoFile.Load(Path.Combine(output, "annotations.json")).Images.Count);
        Assert.Contains("wrote 6 images", stdout.ToString());
        Assert.Equal(2, MaskRcnnCommandLine.Run(["data", "shapes", "--output", output, "--images", "0"], stdout, stderr));
        Assert.Equal(2, MaskRcnnCommandLine.Run(["data", "shapes"], stdout, stderr)); // --output is required
    }
}
