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
        // A file named directly is an input wherever it is.
        Assert.Single(ImageInputs.Find([Path.Combine(dir.Path, "b.png")], recursive: false, output));
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
