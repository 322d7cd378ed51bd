using MaskRcnn.Config;
using MaskRcnn.Data.Coco;
using MaskRcnn.Inference;

namespace MaskRcnn.Tests.Inference;

/// <summary><c>predict --classes FILE</c>: a names file for labels 1..K, or a COCO json laid out in sorted id order or by
/// id; anything that does not fit NUM_CLASSES is a one-line error naming the file and both counts.</summary>
public class ClassesFileTests
{
    static ModelConfig Model(int numClasses) => TinyModel.Config("MODEL.ROI_BOX_HEAD.NUM_CLASSES", numClasses.ToString()).Model;

    static IEnumerable<(long, string)> Labels(DetectionCategories c) => c.CategoryOfLabel.Zip(c.ClassNames).Skip(1);

    [Fact]
    public void ANamesFileGivesLabelsOneToKSkippingBlankLines()
    {
        using var dir = new TempDir();
        var file = dir.File("names.txt", "\nsquare\r\n\n  big circle \r\ntriangle\n\n");
        var categories = ClassesFile.Load(file, Model(4));
        Assert.Equal([(1L, "square"), (2L, "big circle"), (3L, "triangle")], Labels(categories));
        Assert.Equal(4, categories.NumClasses);
        Assert.Equal($"classes file {file}", categories.Source);
        // No newline at the end is as good.
        Assert.Equal(3, ClassesFile.Load(dir.File("tight.txt", "a\nb\nc"), Model(4)).NumClasses - 1);
    }

    [Fact]
    public void ANamesFileOfAnotherCountIsAnErrorNamingBothCounts()
    {
        using var dir = new TempDir();
        var file = dir.File("names.txt", "square\ncircle\n");
        var e = Assert.Throws<DataException>(() => ClassesFile.Load(file, Model(4)));
        Assert.Equal($"{file}: 2 class names, but MODEL.ROI_BOX_HEAD.NUM_CLASSES 4 means 3 (background is not listed)", e.Message);
        Assert.Equal($"classes file not found: {dir.Path}/nope.txt",
            Assert.Throws<DataException>(() => ClassesFile.Load(Path.Combine(dir.Path, "nope.txt"), Model(4))).Message);
    }

    [Fact]
    public void ACocoFileWithOneCategoryPerLabelIsMappedInSortedIdOrder()
    {
        using var dir = new TempDir();
        // Categories alone are enough; the order in the file does not matter.
        var file = dir.File("cats.json", """{"categories": [{"id": 7, "name": "eel"}, {"id": 3, "name": "cat"}, {"id": 5, "name": "dog"}]}""");
        Assert.Equal([(3L, "cat"), (5L, "dog"), (7L, "eel")], Labels(ClassesFile.Load(file, Model(4))));
    }

    [Fact]
    public void ACocoFileWhoseHighestIdIsTheLastLabelIsMappedById()
    {
        using var dir = new TempDir();
        var file = dir.File("cats.json", """{"images": [], "annotations": [], "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}, {"id": 5, "name": "eel"}]}""");
        Assert.Equal([(1L, "cat"), (2L, "dog"), (3L, "N/A"), (4L, "N/A"), (5L, "eel")], Labels(ClassesFile.Load(file, Model(6))));
    }

    [Fact]
    public void ACocoFileThatFitsNeitherWayIsAnError()
    {
        using var dir = new TempDir();
        var file = dir.File("cats.json", """{"categories": [{"id": 1, "name": "cat"}, {"id": 9, "name": "dog"}]}""");
        var e = Assert.Throws<DataException>(() => ClassesFile.Load(file, Model(4)));
        Assert.Equal($"{file}: 2 categories (highest id 9) fit neither MODEL.ROI_BOX_HEAD.NUM_CLASSES 4 label by label (3 categories) nor by id (highest id 3)", e.Message);
        var twice = dir.File("twice.json", """{"categories": [{"id": 1, "name": "cat"}, {"id": 1, "name": "dog"}, {"id": 2, "name": "eel"}]}""");
        Assert.Equal($"{twice}: category id 1 appears twice", Assert.Throws<DataException>(() => ClassesFile.Load(twice, Model(4))).Message);
        var none = dir.File("none.json", """{"images": []}""");
        Assert.Equal($"{none}: not a COCO file: top level has no 'categories'", Assert.Throws<DataException>(() => ClassesFile.Load(none, Model(4))).Message);
    }
}
