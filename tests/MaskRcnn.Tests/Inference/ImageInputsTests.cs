using MaskRcnn.Config;
using MaskRcnn.Inference;

namespace MaskRcnn.Tests.Inference;

/// <summary>Finding the images of predict's inputs, and naming their outputs without collisions.</summary>
public class ImageInputsTests
{
    static TempDir Folder()
    {
        var dir = new TempDir();
        foreach (var name in new[] { "b.png", "a.JPG", "c.webp", "notes.txt", ".hidden.png", "sub/d.gif", "sub/deeper/e.bmp", "out/old.png" })
            dir.File(name, "x");
        return dir;
    }

    [Fact]
    public void FoldersGiveTheirImagesSortedAndSubfoldersOnlyWhenRecursive()
    {
        using var dir = Folder();
        var flat = ImageInputs.Find([dir.Path], recursive: false, Path.Combine(dir.Path, "out"));
        Assert.Equal(["a.JPG", "b.png", "c.webp"], flat.Select(i => i.RelativePath));
        Assert.Equal(Path.Combine(dir.Path, "b.png"), flat[1].Path);
        // The output folder is passed over, so that a second run does not read the first one's overlays.
        var deep = ImageInputs.Find([dir.Path], recursive: true, Path.Combine(dir.Path, "out"));
        Assert.Equal(["a.JPG", "b.png", "c.webp", "sub/d.gif", "sub/deeper/e.bmp"], deep.Select(i => i.RelativePath.Replace('\\', '/')));
        Assert.Contains("out/old.png", ImageInputs.Find([dir.Path], recursive: true).Select(i => i.RelativePath.Replace('\\', '/')));
    }

    [Fact]
    public void FilesAreTakenAsGivenAndOnlyOnce()
    {
        using var dir = Folder();
        var notes = Path.Combine(dir.Path, "notes.txt");
        var found = ImageInputs.Find([Path.Combine(dir.Path, "b.png"), notes, dir.Path], recursive: false);
        Assert.Equal(["b.png", "notes.txt", "a.JPG", "c.webp"], found.Select(i => i.RelativePath)); // b.png not again from the folder
    }

    [Fact]
    public void LinkLoopsAreSearchedOnceAndAFileReachedTwiceIsOneInput()
    {
        using var dir = Folder();
        using var elsewhere = new TempDir();
        elsewhere.File("x.png", "x");
        // Two loops: either alone repeats every image many times; together they never end (the walk of the old code took
        // minutes before failing on "too many levels of symbolic links").
        File.CreateSymbolicLink(Path.Combine(dir.Path, "again"), ".");
        File.CreateSymbolicLink(Path.Combine(dir.Path, "sub", "up"), "..");
        File.CreateSymbolicLink(Path.Combine(dir.Path, "z.png"), "b.png"); // the file b.png, a second time
        File.CreateSymbolicLink(Path.Combine(dir.Path, "more"), elsewhere.Path); // a folder elsewhere: followed
        var found = ImageInputs.Find([dir.Path, Path.Combine(dir.Path, "again", "a.JPG"), Path.Combine(dir.Path, "sub")], recursive: true,
            Path.Combine(dir.Path, "out"));
        Assert.Equal(["a.JPG", "b.png", "c.webp", "more/x.png", "sub/d.gif", "sub/deeper/e.bmp"], found.Select(i => i.RelativePath.Replace('\\', '/')));
    }

    [Fact]
    public void TheOutputFolderIsPassedOverThroughLinksToo()
    {
        using var dir = Folder();
        using var elsewhere = new TempDir();
        var output = Path.Combine(elsewhere.Path, "out");
        File.CreateSymbolicLink(output, dir.Path); // the output folder is the input folder under another name
        var e = Assert.Throws<ConfigException>(() => ImageInputs.Find([dir.Path], recursive: false, output));
        Assert.Equal($"no images (bmp, gif, jpeg, jpg, png, webp) in {dir.Path} (subfolders not searched) apart from 3 under the output folder " +
                     $"{output}, passed over as earlier outputs", e.Message);
        // A file named directly is an input wherever it is (the outputs are then checked against it: OutputsNeverOverwriteAnInput).
        Assert.Single(ImageInputs.Find([Path.Combine(dir.Path, "b.png")], recursive: false, output));
    }

    [Fact]
    public void OutputsNeverOverwriteAnInput()
    {
        using var dir = Folder();
        using var elsewhere = new TempDir();
        var (a, b) = (Path.Combine(dir.Path, "a.JPG"), Path.Combine(dir.Path, "b.png"));
        void Refused(string[] inputs, string output, bool masks, string message)
        {
            var images = ImageInputs.Find(inputs, recursive: true, output);
            var e = Assert.Throws<ConfigException>(() => PredictionOutputs.RefuseOverwritingInputs(images, PredictionOutputs.Assign(images, masks), output));
            Assert.Equal($"output folder {output}: {message}; choose an output folder apart from the inputs", e.Message);
        }
        // Files named directly, in the output folder (predict --input *.jpg --output .): each overlay would be its input.
        Refused([b, a], dir.Path, false, $"writing b.png there would overwrite the input {b}");
        // The same through a link to the inputs' folder, and through "..".
        var link = Path.Combine(elsewhere.Path, "link");
        File.CreateSymbolicLink(link, dir.Path);
        Refused([a], link, false, $"writing a.JPG there would overwrite the input {a}");
        Refused([a], Path.Combine(dir.Path, "sub", ".."), false, $"writing a.JPG there would overwrite the input {a}");
        // An output that is a link to an input (left in the output folder by someone): writing it would write the input.
        File.CreateSymbolicLink(Path.Combine(elsewhere.Path, "a.JPG"), a);
        Refused([a], elsewhere.Path, false, $"writing a.JPG there would overwrite the input {a}");
        // A mask image or predictions.json landing on an input: sub/d.gif's masks are d.masks.png, while the input
        // d.masks.png's own overlay is d.masks_1.png (d.masks.jpg came first).
        var masksInput = dir.File("out2/d.masks.png", "x");
        var predictions = dir.File("out2/predictions.json", "{}");
        string[] withMasksInput = [Path.Combine(dir.Path, "sub", "d.gif"), elsewhere.File("d.masks.jpg", "x"), masksInput];
        Refused(withMasksInput, Path.Combine(dir.Path, "out2"), true, $"writing d.masks.png there would overwrite the input {masksInput}");
        var withoutMasks = ImageInputs.Find(withMasksInput, false);
        PredictionOutputs.RefuseOverwritingInputs(withoutMasks, PredictionOutputs.Assign(withoutMasks, withMasks: false), Path.Combine(dir.Path, "out2"));
        Refused([predictions], Path.Combine(dir.Path, "out2"), false, $"writing predictions.json there would overwrite the input {predictions}");

        // Outputs apart from the inputs, or beside them under other names, pass.
        var images = ImageInputs.Find([dir.Path], recursive: true, Path.Combine(dir.Path, "out"));
        PredictionOutputs.RefuseOverwritingInputs(images, PredictionOutputs.Assign(images, withMasks: true), Path.Combine(dir.Path, "out"));
        PredictionOutputs.RefuseOverwritingInputs([new ImageInput(Path.Combine(dir.Path, "sub", "d.gif"), "d.gif")],
            [new PredictionOutputs("d.png", "d.masks.png")], Path.Combine(dir.Path, "sub"));
    }

    [Fact]
    public void MissingInputsAndNoImagesAreOneLineErrors()
    {
        using var dir = new TempDir();
        dir.File("readme.txt", "no images here");
        var missing = Path.Combine(dir.Path, "nope");
        Assert.Equal($"input not found: {missing}", Assert.Throws<ConfigException>(() => ImageInputs.Find([missing], false)).Message);
        Assert.Equal($"no images (bmp, gif, jpeg, jpg, png, webp) in {dir.Path} (subfolders not searched)",
            Assert.Throws<ConfigException>(() => ImageInputs.Find([dir.Path], false)).Message);
    }

    [Fact]
    public void OutputNamesMirrorInputsAndNeverCollide()
    {
        var inputs = new ImageInput[]
        {
            new("/x/a.jpg", "a.jpg"), new("/y/a.jpg", "a.jpg"), new("/x/a.png", "a.png"), new("/x/a.bmp", "a.bmp"),
            new("/x/s/p.JPEG", "s/p.JPEG"), new("/z/predictions.gif", "predictions.gif"), new("/z/A.png", "A.png"),
        };
        var outputs = PredictionOutputs.Assign(inputs, withMasks: true);
        // Each input a name of its own: a.png after a.jpg would share its masks file, A.png every a_k (case-insensitively).
        Assert.Equal(["a.jpg", "a_1.jpg", "a_2.png", "a_3.png", "s/p.JPEG", "predictions.png", "A_4.png"], outputs.Select(o => o.Overlay));
        Assert.Equal(["a.masks.png", "a_1.masks.png", "a_2.masks.png", "a_3.masks.png", "s/p.masks.png", "predictions.masks.png", "A_4.masks.png"],
            outputs.Select(o => o.Masks));
        Assert.All(PredictionOutputs.Assign(inputs, withMasks: false), o => Assert.Null(o.Masks));
    }
}
