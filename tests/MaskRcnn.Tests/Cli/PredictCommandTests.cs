using System.Text.Json;
using MaskRcnn.Data;
using MaskRcnn.Data.Shapes;
using MaskRcnn.Inference;
using MaskRcnn.Tests.Data;
using MaskRcnn.Tests.Engine;
using MaskRcnn.Tests.Inference;
using SkiaSharp;
using static MaskRcnn.Tests.Cli.CliRun;

namespace MaskRcnn.Tests.Cli;

/// <summary><c>maskrcnn predict</c> end to end through the command line, with a tiny randomly initialised checkpoint.</summary>
[Collection(TrainingCollection.Name)]
public class PredictCommandTests : IClassFixture<PredictCommandTests.Setup>
{
    public sealed class Setup : IDisposable
    {
        public TempDir Dir { get; } = new();
        public string Checkpoint => Path.Combine(Dir.Path, "run", "model_final.safetensors");
        public string Catalog { get; }
        public string Inputs => Path.Combine(Dir.Path, "inputs");

        public static readonly (string Name, int Width, int Height)[] Images = [("a.png", 80, 64), ("b.jpg", 70, 90), ("c.png", 72, 48), ("sub/d.webp", 64, 64)];

        public Setup()
        {
            Directory.CreateDirectory(Path.Combine(Dir.Path, "run"));
            TinyModel.SaveCheckpoint(Checkpoint);
            ShapesDatasetWriter.Write(Path.Combine(Dir.Path, "tiny"), images: 2, seed: 3, minSide: 64, maxSide: 72);
            Catalog = Dir.File("catalog.yaml", "DATASETS:\n  tiny_val: {img_dir: tiny/images, ann_file: tiny/annotations.json}\n");
            foreach (var (name, width, height) in Images)
            {
                var format = Path.GetExtension(name) switch { ".jpg" => SKEncodedImageFormat.Jpeg, ".webp" => SKEncodedImageFormat.Webp, _ => SKEncodedImageFormat.Png };
                var path = Path.Combine(Inputs, name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllBytes(path, ImageFiles.Encode(width, height, format, (x, y) => ((byte)(x * 3), (byte)(y * 2), (byte)((x * y) % 255), 255)));
            }
            Dir.File("inputs/corrupt.png", "this is not a PNG");
            Dir.File("inputs/readme.txt", "not an image: not looked at");
        }

        public void Dispose() => Dir.Dispose();
    }

    readonly Setup setup;
    public PredictCommandTests(Setup setup) => this.setup = setup;

    string[] Args(string output, params string[] more) =>
        ["predict", "--config", TinyModel.ConfigFile, .. more, "--output", output,
         .. TinyModel.Overrides, "PATHS_CATALOG", setup.Catalog, "DATASETS.TEST", "(\"tiny_val\",)", "OUTPUT_DIR", Path.Combine(setup.Dir.Path, "run")];

    [Fact]
    public void WritesOverlaysMasksAndCocoJsonAndSkipsTheCorruptFile()
    {
        using var output = new TempDir();
        var (code, stdout, stderr) = Run(Args(output.Path, "--weights", setup.Checkpoint, "--input", setup.Inputs, "--score-threshold", "0", "--save-masks"));
        Assert.True(code == 0, stderr);
        var corrupt = Path.Combine(setup.Inputs, "corrupt.png");
        Assert.Equal($"maskrcnn: warning: {corrupt}: not an image SkiaSharp can read (or a corrupt one) (skipped)\n", stderr);
        Assert.Contains("3 image(s), 60 detection(s) scoring 0 or more, 1 unreadable file(s) skipped", stdout); // DETECTIONS_PER_IMG 20 each

        Assert.Equal(["a.masks.png", "a.png", "b.jpg", "b.masks.png", "c.masks.png", "c.png", "predictions.json"],
            Directory.GetFiles(output.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var (name, width, height) in Setup.Images.Take(3))
        {
            Assert.Equal(new long[] { 3, height, width }, ImageDecoder.Decode(Path.Combine(output.Path, name), int.MaxValue).shape);
            Assert.Equal(new long[] { 3, height, width }, ImageDecoder.Decode(Path.Combine(output.Path, Path.GetFileNameWithoutExtension(name) + ".masks.png"), int.MaxValue).shape);
        }

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "predictions.json")));
        var root = json.RootElement;
        var images = root.GetProperty("images").EnumerateArray().ToList();
        Assert.Equal(["a.png", "b.jpg", "c.png"], images.Select(i => i.GetProperty("file_name").GetString()));
        Assert.Equal([1L, 2L, 3L], images.Select(i => i.GetProperty("id").GetInt64()));
        Assert.Equal([(80, 64), (70, 90), (72, 48)], images.Select(i => (i.GetProperty("width").GetInt32(), i.GetProperty("height").GetInt32())));
        Assert.Equal(["a.png", "b.jpg", "c.png"], images.Select(i => i.GetProperty("overlay").GetString()));
        Assert.Equal("b.masks.png", images[1].GetProperty("masks").GetString());
        Assert.Equal(Path.Combine(setup.Inputs, "b.jpg"), images[1].GetProperty("path").GetString());
        // Class names from DATASETS.TEST through the catalog.
        Assert.Equal([(1L, "square"), (2L, "circle"), (3L, "triangle")],
            root.GetProperty("categories").EnumerateArray().Select(c => (c.GetProperty("id").GetInt64(), c.GetProperty("name").GetString())));
        var annotations = root.GetProperty("annotations").EnumerateArray().ToList();
        Assert.Equal(60, annotations.Count);
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), annotations.Select(a => a.GetProperty("id").GetInt64()));
        foreach (var a in annotations)
        {
            var image = images[(int)a.GetProperty("image_id").GetInt64() - 1];
            Assert.InRange(a.GetProperty("category_id").GetInt64(), 1, 3);
            Assert.Equal(4, a.GetProperty("bbox").GetArrayLength());
            Assert.InRange(a.GetProperty("score").GetDouble(), 0, 1);
            Assert.Equal(0, a.GetProperty("iscrowd").GetInt32());
            var segmentation = a.GetProperty("segmentation");
            Assert.Equal([image.GetProperty("height").GetInt32(), image.GetProperty("width").GetInt32()],
                segmentation.GetProperty("size").EnumerateArray().Select(v => v.GetInt32()));
            var rle = MaskRcnn.Structures.Masks.Rle.FromCompressedString(segmentation.GetProperty("counts").GetString()!,
                image.GetProperty("height").GetInt32(), image.GetProperty("width").GetInt32());
            Assert.Equal(rle.Area(), a.GetProperty("area").GetDouble());
        }
        // Best first within each image.
        foreach (var group in annotations.GroupBy(a => a.GetProperty("image_id").GetInt64()))
        {
            var scores = group.Select(a => a.GetProperty("score").GetDouble()).ToList();
            Assert.Equal(scores.OrderDescending(), scores);
        }
    }

    [Fact]
    public void RecursiveRunsWithLastCheckpointAndAThresholdThatDropsEverything()
    {
        using var output = new TempDir();
        File.WriteAllText(Path.Combine(setup.Dir.Path, "run", "last_checkpoint"), "model_final.safetensors");
        try
        {
            var (code, stdout, stderr) = Run(Args(output.Path, "--input", setup.Inputs, "--recursive", "--score-threshold", "1"));
            Assert.True(code == 0, stderr);
            Assert.Contains($"with {setup.Checkpoint}", stdout);
            Assert.Contains("4 image(s), 0 detection(s) scoring 1 or more, 1 unreadable file(s) skipped", stdout);
            Assert.Equal(new long[] { 3, 64, 64 }, ImageDecoder.Decode(Path.Combine(output.Path, "sub", "d.png"), int.MaxValue).shape);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "predictions.json")));
            Assert.Equal(0, json.RootElement.GetProperty("annotations").GetArrayLength());
            Assert.Equal("sub/d.webp", json.RootElement.GetProperty("images")[3].GetProperty("file_name").GetString());
        }
        finally { File.Delete(Path.Combine(setup.Dir.Path, "run", "last_checkpoint")); }
    }

    [Fact]
    public void ClassNamesFallBackWhenTheDatasetCannotBeOpened()
    {
        using var output = new TempDir();
        var args = Args(output.Path, "--weights", setup.Checkpoint, "--input", Path.Combine(setup.Inputs, "a.png"), "--score-threshold", "0.2")
            .Append("DATASETS.TEST").Append("(\"nope_val\",)").ToArray();
        var (code, _, stderr) = Run(args);
        Assert.True(code == 0, stderr);
        // The checkpoint records no names (not written by training), and the dataset is unknown.
        Assert.StartsWith($"maskrcnn: note: class names unavailable ({setup.Checkpoint} records none; dataset nope_val: unknown dataset 'nope_val'", stderr);
        Assert.EndsWith("labels are 'class N' with category id N\n", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "predictions.json")));
        Assert.Equal(["class 1", "class 2", "class 3"], json.RootElement.GetProperty("categories").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
    }

    [Fact]
    public void ClassesGivenByHandWinAndABadClassesFileFailsBeforeTheModelLoads()
    {
        using var dir = new TempDir();
        var names = dir.File("names.txt", "red\ngreen\nblue\n");
        var output = Path.Combine(dir.Path, "out");
        var (code, stdout, stderr) = Run(Args(output, "--weights", setup.Checkpoint, "--input", Path.Combine(setup.Inputs, "a.png"), "--classes", names));
        Assert.True(code == 0, stderr);
        Assert.Contains($"classes: 3 from classes file {names}\n", stdout);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "predictions.json")));
        Assert.Equal([(1L, "red"), (2L, "green"), (3L, "blue")],
            json.RootElement.GetProperty("categories").EnumerateArray().Select(c => (c.GetProperty("id").GetInt64(), c.GetProperty("name").GetString())));

        File.WriteAllText(names, "red\ngreen\n");
        (code, stdout, stderr) = Run(Args(output, "--weights", setup.Checkpoint, "--input", Path.Combine(setup.Inputs, "a.png"), "--classes", names));
        Assert.Equal((2, $"maskrcnn: error: {names}: 2 class names, but MODEL.ROI_BOX_HEAD.NUM_CLASSES 4 means 3 (background is not listed)\n"), (code, stderr));
        Assert.DoesNotContain("predicting", stdout);
    }

    /// <summary>SHA-256 of every file under <paramref name="folder"/>, by relative path (links not followed).</summary>
    static SortedDictionary<string, string> Hashes(string folder) => new(
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(folder, f),
            f => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f)))), StringComparer.Ordinal);

    [Fact]
    public void NoInputIsEverOverwritten()
    {
        using var dir = new TempDir();
        var inputs = Path.Combine(dir.Path, "t");
        Directory.CreateDirectory(inputs);
        foreach (var name in new[] { "a.png", "b.jpg" }) File.Copy(Path.Combine(setup.Inputs, name), Path.Combine(inputs, name));
        var link = Path.Combine(dir.Path, "o");
        File.CreateSymbolicLink(link, inputs);
        var before = Hashes(inputs);
        var (a, b) = (Path.Combine(inputs, "a.png"), Path.Combine(inputs, "b.jpg"));

        // predict --input t/*.* --output t: each overlay would be written over its own input (the old code did).
        var (code, stdout, stderr) = Run(Args(inputs, "--weights", setup.Checkpoint, "--input", a, b));
        Assert.Equal((2, $"maskrcnn: error: output folder {inputs}: writing a.png there would overwrite the input {a}; choose an output folder apart from the inputs\n"),
            (code, stderr));
        // The same through a link to the inputs' folder.
        (code, _, stderr) = Run(Args(link, "--weights", setup.Checkpoint, "--input", b));
        Assert.Equal((2, $"maskrcnn: error: output folder {link}: writing b.jpg there would overwrite the input {b}; choose an output folder apart from the inputs\n"),
            (code, stderr));
        // A folder whose real path is the output folder's gives no images: they are taken for earlier outputs.
        (code, _, stderr) = Run(Args(link, "--weights", setup.Checkpoint, "--input", inputs));
        Assert.Equal((2, $"maskrcnn: error: no images (bmp, gif, jpeg, jpg, png, webp) in {inputs} (subfolders not searched) apart from 2 under the " +
                         $"output folder {link}, passed over as earlier outputs\n"), (code, stderr));
        Assert.Equal(before, Hashes(inputs));
        Assert.Equal(["a.png", "b.jpg"], Directory.GetFiles(inputs).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // A subfolder of the inputs' folder is a fine output folder.
        (code, _, stderr) = Run(Args(Path.Combine(inputs, "out"), "--weights", setup.Checkpoint, "--input", inputs, "--save-masks"));
        Assert.True(code == 0, stderr);
        Assert.Equal(before, new SortedDictionary<string, string>(Hashes(inputs).Where(h => !h.Key.StartsWith("out", StringComparison.Ordinal))
            .ToDictionary(h => h.Key, h => h.Value), StringComparer.Ordinal));
    }

    [Fact]
    public void ImagesOverThePixelCapAreReportedAndSkippedAndTheOthersRun()
    {
        using var dir = new TempDir();
        var inputs = Path.Combine(dir.Path, "in");
        Directory.CreateDirectory(inputs);
        foreach (var name in new[] { "a.png", "c.png" }) File.Copy(Path.Combine(setup.Inputs, name), Path.Combine(inputs, name));
        var (bombPng, bombJpg) = (Path.Combine(inputs, "b_bomb.png"), Path.Combine(inputs, "b_bomb.jpg"));
        File.WriteAllBytes(bombPng, BombImages.Png(50000, 50000));
        File.WriteAllBytes(bombJpg, BombImages.Jpeg(60000, 60000));
        var output = Path.Combine(dir.Path, "out");

        var (code, stdout, stderr) = Run(Args(output, "--weights", setup.Checkpoint, "--input", inputs, "--score-threshold", "0"));
        Assert.True(code == 0, stderr);
        Assert.Equal($"maskrcnn: warning: {bombJpg}: declares 60000x60000 = 3600000000 pixels, more than INPUT.MAX_IMAGE_PIXELS 89478485 allows (skipped)\n" +
                     $"maskrcnn: warning: {bombPng}: declares 50000x50000 = 2500000000 pixels, more than INPUT.MAX_IMAGE_PIXELS 89478485 allows (skipped)\n", stderr);
        Assert.Contains("2 image(s), 40 detection(s) scoring 0 or more, 2 unreadable file(s) skipped", stdout);
        Assert.Equal(["a.png", "c.png", "predictions.json"], Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // The cap is the config's: at 5000 pixels, a.png (80x64) is refused too, and c.png (72x48) still runs.
        var args = Args(output, "--weights", setup.Checkpoint, "--input", inputs, "--score-threshold", "0").Append("INPUT.MAX_IMAGE_PIXELS").Append("5000").ToArray();
        (code, stdout, stderr) = Run(args);
        Assert.True(code == 0, stderr);
        Assert.StartsWith($"maskrcnn: warning: {Path.Combine(inputs, "a.png")}: declares 80x64 = 5120 pixels, more than INPUT.MAX_IMAGE_PIXELS 5000 allows (skipped)\n", stderr);
        Assert.Contains("1 image(s), 20 detection(s) scoring 0 or more, 3 unreadable file(s) skipped", stdout);
    }

    [Fact]
    public void BadInputsAndMissingWeightsAreOneLineErrors()
    {
        using var output = new TempDir();
        using var empty = new TempDir();
        var (code, stdout, stderr) = Run(Args(output.Path, "--input", empty.Path));
        Assert.Equal((2, ""), (code, stdout));
        Assert.Equal($"maskrcnn: error: no images (bmp, gif, jpeg, jpg, png, webp) in {empty.Path} (subfolders not searched)\n", stderr);

        var missing = Path.Combine(empty.Path, "nope.jpg");
        (code, _, stderr) = Run(Args(output.Path, "--input", missing));
        Assert.Equal((2, $"maskrcnn: error: input not found: {missing}\n"), (code, stderr));

        // No --weights, no last_checkpoint in OUTPUT_DIR, no MODEL.WEIGHT.
        (code, _, stderr) = Run(Args(output.Path, "--input", setup.Inputs));
        Assert.Equal(2, code);
        Assert.Equal($"maskrcnn: error: no weights to run: OUTPUT_DIR {Path.Combine(setup.Dir.Path, "run")} has no last_checkpoint and MODEL.WEIGHT is empty " +
                     "(train first, point OUTPUT_DIR at a training run, or name a checkpoint with --weights)\n", stderr);

        // Only unreadable files: each reported, then the error.
        (code, _, stderr) = Run(Args(output.Path, "--weights", setup.Checkpoint, "--input", Path.Combine(setup.Inputs, "corrupt.png")));
        Assert.Equal(2, code);
        Assert.EndsWith("maskrcnn: error: none of the 1 input file(s) could be read (first: " +
                        $"{Path.Combine(setup.Inputs, "corrupt.png")}: not an image SkiaSharp can read (or a corrupt one))\n", stderr);
    }
}
