using MaskRcnn.Config;
using MaskRcnn.Data;
using MaskRcnn.Data.Coco;

namespace MaskRcnn.Tests.Data;

public class DatasetCatalogTests
{
    [Fact]
    public void CocoNamesResolveUnderTheDataFolderAsInMaskrcnnBenchmark()
    {
        var entry = DatasetCatalog.Create(dataDir: "/data").Get("coco_2014_minival");
        Assert.Equal(Path.Combine("/data", "coco/val2014"), entry.ImageDir);
        Assert.Equal(Path.Combine("/data", "coco/annotations/instances_minival2014.json"), entry.AnnotationFile);
        Assert.False(entry.IsGenerated);
    }

    [Fact]
    public void ShapesSplitsAreGeneratedDatasets()
    {
        var entry = DatasetCatalog.Create(dataDir: "d").Get("shapes_val");
        Assert.True(entry.IsGenerated);
        Assert.Equal(Path.Combine("d", "shapes", "val", "annotations.json"), entry.AnnotationFile);
    }

    [Fact]
    public void UnknownNamesGetASuggestion()
    {
        var e = Assert.Throws<ConfigException>(() => DatasetCatalog.Create(dataDir: "d").Get("coco_2017_trian"));
        Assert.StartsWith("unknown dataset 'coco_2017_trian' (did you mean coco_2017_train?)", e.Message);
    }

    [Fact]
    public void UsersRegisterTheirOwnDatasetsInACatalogFile()
    {
        using var dir = new TempDir();
        var catalog = dir.File("catalog.yaml", """
            DATA_DIR: data
            DATASETS:
              my_train: {img_dir: mine/images, ann_file: mine/train.json}
            """);
        var cat = DatasetCatalog.Create(catalog);
        var mine = cat.Get("my_train");
        Assert.Equal(Path.Combine(dir.Path, "mine/images"), mine.ImageDir);
        Assert.Equal(Path.Combine(dir.Path, "mine/train.json"), mine.AnnotationFile);
        Assert.Equal(Path.Combine(dir.Path, "data"), cat.DataDir); // built-in names now resolve there
        Assert.Contains("needs ann_file", Assert.Throws<ConfigException>(() =>
            DatasetCatalog.Create(dir.File("bad.yaml", "DATASETS:\n  x: {img_dir: a}\n"))).Message);
        Assert.Contains("unknown catalog key 'DATASET'", Assert.Throws<ConfigException>(() =>
            DatasetCatalog.Create(dir.File("typo.yaml", "DATASET: {}\n"))).Message);
    }

    [Fact]
    public void AMissingDatasetSaysWhereItWasExpected()
    {
        using var dir = new TempDir();
        var entry = DatasetCatalog.Create(dataDir: dir.Path).Get("coco_2017_val");
        var e = Assert.Throws<DataException>(() => CocoDetectionDataset.Open(entry, forTraining: false));
        Assert.Contains("dataset coco_2017_val: annotation file not found: ", e.Message);
        Assert.Contains("instances_val2017.json", e.Message);
        Assert.Contains("val2017", e.Message);
        Assert.Contains(DatasetCatalog.DataDirVariable, e.Message);
    }
}
