using MaskRcnn.Config;

namespace MaskRcnn.Tests.Config;

/// <summary>The configs this repository ships under configs/ all load.</summary>
public class ShippedConfigTests
{
    public static TheoryData<string> Files()
    {
        var root = Path.Combine(TestPaths.RepoRoot, "configs");
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(root, "*.yaml", SearchOption.AllDirectories).Order())
            data.Add(Path.GetRelativePath(root, f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Loads(string relative) => ConfigLoader.Load(Path.Combine(TestPaths.RepoRoot, "configs", relative));

    [Fact]
    public void MaskConfigInheritsTheFpnBase()
    {
        var cfg = ConfigLoader.Load(Path.Combine(TestPaths.RepoRoot, "configs", "coco", "mask_rcnn_R_50_FPN_1x.yaml"));
        Assert.True(cfg.Model.MaskOn);
        Assert.Equal("R-50-FPN", cfg.Model.Backbone.ConvBody);
        Assert.Equal("MaskRCNNFPNFeatureExtractor", cfg.Model.RoiMaskHead.FeatureExtractor);
        Assert.Equal(["coco_2017_train"], cfg.Datasets.Train);
    }
}
