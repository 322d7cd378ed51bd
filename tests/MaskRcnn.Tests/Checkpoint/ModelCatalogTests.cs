using MaskRcnn.Checkpoint;
using MaskRcnn.Config;

namespace MaskRcnn.Tests.Checkpoint;

/// <summary>catalog:// names resolve to local files mirroring maskrcnn-benchmark's download URLs; missing and unknown ones are one line.</summary>
public class ModelCatalogTests
{
    const string Base = "https://dl.fbaipublicfiles.com/detectron/";

    // The URLs maskrcnn-benchmark's ModelCatalog builds (and Detectron's MODEL_ZOO links), written out.
    [Theory]
    [InlineData("catalog://ImageNetPretrained/MSRA/R-50", "ImageNetPretrained/MSRA/R-50.pkl")]
    [InlineData("catalog://ImageNetPretrained/MSRA/R-50-GN", "ImageNetPretrained/47261647/R-50-GN.pkl")]
    [InlineData("catalog://ImageNetPretrained/MSRA/R-101", "ImageNetPretrained/MSRA/R-101.pkl")]
    [InlineData("catalog://ImageNetPretrained/MSRA/R-101-GN", "ImageNetPretrained/47592356/R-101-GN.pkl")]
    [InlineData("catalog://ImageNetPretrained/FAIR/20171220/X-101-32x8d", "ImageNetPretrained/20171220/X-101-32x8d.pkl")]
    [InlineData("catalog://Caffe2Detectron/COCO/35857197/e2e_faster_rcnn_R-50-C4_1x",
        "35857197/12_2017_baselines/e2e_faster_rcnn_R-50-C4_1x.yaml.01_33_49.iAX0mXvW/output/train/coco_2014_train%3Acoco_2014_valminusminival/generalized_rcnn/model_final.pkl")]
    [InlineData("catalog://Caffe2Detectron/COCO/35861795/e2e_mask_rcnn_R-101-FPN_1x",
        "35861795/12_2017_baselines/e2e_mask_rcnn_R-101-FPN_1x.yaml.02_31_37.KqyEK4tT/output/train/coco_2014_train%3Acoco_2014_valminusminival/generalized_rcnn/model_final.pkl")]
    [InlineData("catalog://Caffe2Detectron/COCO/37129812/e2e_mask_rcnn_X-152-32x8d-FPN-IN5k_1.44x",
        "37129812/12_2017_baselines/e2e_mask_rcnn_X-152-32x8d-FPN-IN5k_1.44x.yaml.09_35_36.8pzTQKYK/output/train/coco_2014_train%3Acoco_2014_valminusminival/generalized_rcnn/model_final.pkl")]
    [InlineData("catalog://Caffe2Detectron/COCO/37697547/e2e_keypoint_rcnn_R-50-FPN_1x",
        "37697547/12_2017_baselines/e2e_keypoint_rcnn_R-50-FPN_1x.yaml.08_42_54.kdzV35ao/output/train/keypoints_coco_2014_train%3Akeypoints_coco_2014_valminusminival/generalized_rcnn/model_final.pkl")]
    public void ANameResolvesToTheFileMirroringItsUrl(string name, string urlPath)
    {
        var entry = ModelCatalog.Get(name);
        Assert.Equal(Base + urlPath, entry.Url);
        using var dir = new TempDir();
        var expected = Path.Combine([dir.Path, "models", .. urlPath.Split('/')]);
        Directory.CreateDirectory(Path.GetDirectoryName(expected)!);
        File.WriteAllText(expected, "");
        Assert.Equal(expected, ModelCatalog.Resolve(name, dir.Path));
    }

    [Fact]
    public void TheCatalogHasMaskRcnnBenchmarksFifteenNamesAndTorchvisionsSevenImageNetFiles()
    {
        Assert.Equal(22, ModelCatalog.Entries.Count);
        Assert.Equal(22, ModelCatalog.Entries.Select(e => e.Name).Distinct().Count());
        Assert.All(ModelCatalog.Entries, e => Assert.True(ModelCatalog.IsCatalogName(e.Name)));
        Assert.All(ModelCatalog.Entries, e => Assert.EndsWith(e.Name.Contains("/torchvision/") ? ".pth" : ".pkl", e.UrlPath));
    }

    [Fact]
    public void TorchvisionImageNetFilesGoUnderModelsTorchvision()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ConfigException>(() => ModelCatalog.Resolve("catalog://ImageNetPretrained/torchvision/resnet18", dir.Path));
        var path = Path.GetFullPath(Path.Combine(dir.Path, "models", "torchvision", "resnet18-f37072fd.pth"));
        Assert.Equal("catalog://ImageNetPretrained/torchvision/resnet18: not downloaded (this tool downloads nothing); " +
                     $"download https://download.pytorch.org/models/resnet18-f37072fd.pth to {path}", e.Message);
        Assert.Equal(CatalogWeightSettings.Torchvision, ModelCatalog.Get("catalog://ImageNetPretrained/torchvision/resnet50").Settings);
    }

    [Fact]
    public void AMissingFileIsOneLineWithTheUrlAndThePath()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<ConfigException>(() => ModelCatalog.Resolve("catalog://ImageNetPretrained/MSRA/R-50", dir.Path));
        var path = Path.GetFullPath(Path.Combine(dir.Path, "models", "ImageNetPretrained", "MSRA", "R-50.pkl"));
        Assert.Equal($"catalog://ImageNetPretrained/MSRA/R-50: not downloaded (this tool downloads nothing); download {Base}ImageNetPretrained/MSRA/R-50.pkl to {path}",
            e.Message);
        // A relative data folder is shown as the full path the file must be at.
        var relative = Assert.Throws<ConfigException>(() => ModelCatalog.Resolve("catalog://ImageNetPretrained/FAIR/20171220/X-101-32x8d", "datasets")).Message;
        Assert.EndsWith($" to {Path.GetFullPath(Path.Combine("datasets", "models", "ImageNetPretrained", "20171220", "X-101-32x8d.pkl"))}", relative);
        Assert.DoesNotContain('\n', relative);
    }

    [Fact]
    public void UnknownNamesListWhatIsKnown()
    {
        Assert.Equal("catalog://Detectron2/ImageNetPretrained/MSRA/R-50: not in the model catalog; its names start with " +
                     "catalog://ImageNetPretrained/ or catalog://Caffe2Detectron/COCO/",
            Assert.Throws<ConfigException>(() => ModelCatalog.Get("catalog://Detectron2/ImageNetPretrained/MSRA/R-50")).Message);
        Assert.Equal("catalog://ImageNetPretrained/MSRA/R-152: not in the model catalog; it knows catalog://ImageNetPretrained/MSRA/R-50, " +
                     "catalog://ImageNetPretrained/MSRA/R-50-GN, catalog://ImageNetPretrained/MSRA/R-101, catalog://ImageNetPretrained/MSRA/R-101-GN, " +
                     "catalog://ImageNetPretrained/FAIR/20171220/X-101-32x8d, catalog://ImageNetPretrained/torchvision/resnet18, " +
                     "catalog://ImageNetPretrained/torchvision/resnet34, catalog://ImageNetPretrained/torchvision/resnet50, " +
                     "catalog://ImageNetPretrained/torchvision/resnet101, catalog://ImageNetPretrained/torchvision/resnet152, " +
                     "catalog://ImageNetPretrained/torchvision/resnext101_32x8d, catalog://ImageNetPretrained/torchvision/vgg16",
            Assert.Throws<ConfigException>(() => ModelCatalog.Resolve("catalog://ImageNetPretrained/MSRA/R-152", "datasets")).Message);
        var detectron = Assert.Throws<ConfigException>(() => ModelCatalog.Get("catalog://Caffe2Detectron/COCO/1/e2e_mask_rcnn_R-50-FPN_1x")).Message;
        Assert.StartsWith("catalog://Caffe2Detectron/COCO/1/e2e_mask_rcnn_R-50-FPN_1x: not in the model catalog; it knows catalog://Caffe2Detectron/COCO/35857197/", detectron);
        Assert.DoesNotContain("ImageNetPretrained", detectron);
        Assert.Throws<ArgumentException>(() => ModelCatalog.Get("ImageNetPretrained/MSRA/R-50"));
    }

    static IEnumerable<(string File, string Weight)> ShippedConfigsWithCatalogWeights() =>
        Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "configs"), "*.yaml", SearchOption.AllDirectories)
            .Select(f => (File: f, Weight: File.ReadLines(f).Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("WEIGHT: \"catalog://", StringComparison.Ordinal))))
            .Where(c => c.Weight is not null)
            .Select(c => (c.File, c.Weight!["WEIGHT: \"".Length..^1]));

    [Fact]
    public void EveryShippedConfigsCatalogWeightIsKnownAndMatchesItsSettings()
    {
        var configs = ShippedConfigsWithCatalogWeights().ToList();
        Assert.True(configs.Count >= 40, $"only {configs.Count} configs name catalog weights");
        foreach (var (file, weight) in configs)
        {
            var cfg = new MaskRcnnConfig();
            ConfigLoader.MergeFile(cfg, file); // no support check: the settings are what matters here
            Assert.Equal(weight, cfg.Model.Weight);
            var mismatches = ModelCatalog.Get(weight).Settings.Mismatches(cfg, weight);
            Assert.True(mismatches.Count == 0, $"{file}: {string.Join("; ", mismatches)}");
        }
        // Both strides are checked: MSRA's in the 1x1 (R-50), FAIR's in the 3x3 (GN, ResNeXt, and the X-152 detector).
        var used = configs.Select(c => c.Weight).ToHashSet();
        Assert.Contains("catalog://ImageNetPretrained/MSRA/R-50", used);
        Assert.Contains("catalog://ImageNetPretrained/MSRA/R-50-GN", used);
        Assert.Contains("catalog://ImageNetPretrained/FAIR/20171220/X-101-32x8d", used);
        Assert.Contains("catalog://Caffe2Detectron/COCO/37129812/e2e_mask_rcnn_X-152-32x8d-FPN-IN5k_1.44x", used);
    }

    [Fact]
    public void SettingsThatDifferAreOneWarningEach()
    {
        var cfg = ConfigLoader.Load(Path.Combine(TestPaths.RepoRoot, "configs", "torchvision", "maskrcnn_resnet50_fpn.yaml"));
        const string r50 = "catalog://ImageNetPretrained/MSRA/R-50";
        Assert.Equal(
        [
            $"MODEL.RESNETS.STRIDE_IN_1X1 is False but {r50} was trained with True",
            $"INPUT.TO_BGR255 is False but {r50} was trained with True",
            $"INPUT.PIXEL_MEAN is (0.485, 0.456, 0.406) but {r50} was trained with (102.9801, 115.9465, 122.7717)",
            $"INPUT.PIXEL_STD is (0.229, 0.224, 0.225) but {r50} was trained with (1, 1, 1)",
        ], ModelCatalog.Get(r50).Settings.Mismatches(cfg, r50));
        Assert.Empty(ModelCatalog.Get(r50).Settings.Mismatches(new MaskRcnnConfig(), r50));
        const string x101 = "catalog://ImageNetPretrained/FAIR/20171220/X-101-32x8d";
        Assert.Equal([$"MODEL.RESNETS.STRIDE_IN_1X1 is True but {x101} was trained with False"], ModelCatalog.Get(x101).Settings.Mismatches(new MaskRcnnConfig(), x101));
    }
}
