using MaskRcnn.Data;
using MaskRcnn.Data.Coco;
using MaskRcnn.Data.Shapes;

namespace MaskRcnn.Tests.Data;

/// <summary>DATASETS.TRAIN with several datasets: indices run through them in order; differing categories are refused;
/// names are the labels' only when every dataset gives them.</summary>
public class ConcatDetectionDatasetTests
{
    static CocoDetectionDataset Shapes(TempDir dir, string name, int images, int seed)
    {
        var root = Path.Combine(dir.Path, name);
        ShapesDatasetWriter.Write(root, images, seed, minSide: 48, maxSide: 64);
        return new CocoDetectionDataset(CocoFile.Load(Path.Combine(root, "annotations.json")), Path.Combine(root, "images"), forTraining: true, name);
    }

    [Fact]
    public void IndicesRunThroughTheDatasetsInOrder()
    {
        using var dir = new TempDir();
        var a = Shapes(dir, "a", 3, 1);
        var b = Shapes(dir, "b", 2, 2);
        var both = new ConcatDetectionDataset([a, b]);
        Assert.Equal("a+b", both.Name);
        Assert.Equal(a.Count + b.Count, both.Count);
        Assert.Equal(a.CategoryOfLabel, both.CategoryOfLabel);
        Assert.Equal(a.ClassNames, both.ClassNames);
        Assert.Null(both.NameConflict);
        for (int i = 0; i < both.Count; i++)
        {
            var (part, local) = i < a.Count ? (a, i) : (b, i - a.Count);
            Assert.Equal(part.ImageIdAt(local), both.ImageIdAt(i));
            Assert.Equal(part.ImageAt(local), both.ImageAt(i));
            var sample = both.Load(i, int.MaxValue);
            Assert.Equal(i, sample.Index);
            Assert.Equal(part.ImageIdAt(local), sample.ImageId);
            Assert.Equal(part.Target(part.ImageAt(local)).Boxes.data<float>().ToArray(), sample.Target.Boxes.data<float>().ToArray());
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => both.ImageAt(both.Count));
    }

    [Fact]
    public void DatasetsWithDifferentCategoriesAreRefused()
    {
        using var dir = new TempDir();
        var a = Shapes(dir, "a", 2, 1);
        var path = Path.Combine(dir.Path, "a", "annotations.json");
        var renumbered = File.ReadAllText(path).Replace("{\"id\":3,\"name\":\"triangle\"", "{\"id\":7,\"name\":\"triangle\"")
                                               .Replace("\"category_id\":3", "\"category_id\":7");
        Assert.Contains("{\"id\":7,", renumbered);
        var other = new CocoDetectionDataset(CocoFile.Parse(System.Text.Json.JsonDocument.Parse(renumbered).RootElement, "c.json"), Path.Combine(dir.Path, "a", "images"), true, "c");
        var error = Assert.Throws<DataException>(() => new ConcatDetectionDataset([a, other]));
        Assert.Contains("datasets a and c have different categories (ids 1,2,3 vs 1,2,7)", error.Message);
    }

    [Fact]
    public void DatasetsThatNameACategoryDifferentlyGiveTheLabelsNoNames()
    {
        using var dir = new TempDir();
        var a = Shapes(dir, "a", 2, 1);
        var renamed = File.ReadAllText(Path.Combine(dir.Path, "a", "annotations.json")).Replace("\"name\":\"circle\"", "\"name\":\"disc\"");
        Assert.Contains("\"disc\"", renamed);
        var other = new CocoDetectionDataset(CocoFile.Parse(System.Text.Json.JsonDocument.Parse(renamed).RootElement, "d.json"), Path.Combine(dir.Path, "a", "images"), true, "d");
        var both = new ConcatDetectionDataset([a, other, a]);
        Assert.Null(both.ClassNames);
        Assert.Equal("category id 2 is 'circle' in a but 'disc' in d", both.NameConflict);
        Assert.Equal(a.CategoryOfLabel, both.CategoryOfLabel); // the ids agree: training is unaffected
    }
}
