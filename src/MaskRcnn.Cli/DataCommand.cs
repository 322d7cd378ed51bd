using System.CommandLine;
using MaskRcnn.Data.Shapes;

namespace MaskRcnn.Cli;

/// <summary><c>maskrcnn data shapes</c>: writes a built-in shapes dataset in COCO format.</summary>
public static class DataCommand
{
    public static Command Build(TextWriter stdout)
    {
        var output = new Option<string>("--output", "-o") { Description = "Folder to write images/ and annotations.json into", Required = true };
        var images = new Option<int>("--images") { Description = "Number of images", DefaultValueFactory = _ => 200 };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed writes the same dataset", DefaultValueFactory = _ => 1 };
        var shapes = new Command("shapes", "Generate a synthetic COCO dataset of squares, circles and triangles") { output, images, seed };
        shapes.SetAction(result =>
        {
            var dir = result.GetValue(output)!;
            var count = result.GetValue(images);
            if (count <= 0) throw new Config.ConfigException($"--images must be positive, got {count}");
            ShapesDatasetWriter.Write(dir, count, result.GetValue(seed));
            stdout.WriteLine($"wrote {count} images and annotations.json to {dir}");
            return MaskRcnnCommandLine.Ok;
        });
        return new Command("data", "Dataset tools") { shapes };
    }
}
