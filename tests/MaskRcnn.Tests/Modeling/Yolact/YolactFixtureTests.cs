using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling.Yolact;

/// <summary>
/// The YOLACT reference fixtures parse, have the shapes scripts/make_yolact_fixture.py documents, and the inputs this
/// reader rebuilds (image, ground truth) are the ones the script fed the reference.
/// </summary>
public class YolactFixtureTests
{
    static readonly YolactFixture small = YolactFixture.Small();
    static readonly YolactFixture large = YolactFixture.Large();

    [Fact]
    public void SmallCaseHasTheDocumentedShapes()
    {
        var f = small;
        Assert.Equal((120, 150, 160, 5, 32), (f.Height, f.Width, f.MaxSize, f.NumClasses, f.MaskDim));
        Assert.Equal([6, 13, 27, 55, 111], f.AnchorScales);
        Assert.True(f.SquareAnchors);

        long anchors = 0;
        var levels = new List<long[]>();
        for (int level = 0; level < 5; level++)
        {
            var channels = f.Tensor($"fpn{level}_channels01");
            Assert.Equal(2, channels.shape[0]);
            levels.Add(channels.shape[1..]);
            anchors += 3 * channels.shape[1] * channels.shape[2];
            Assert.Equal([256L], f.Tensor($"fpn{level}_means").shape);
        }
        Assert.Equal([[20L, 20], [10, 10], [5, 5], [3, 3], [2, 2]], levels);
        Assert.Equal([anchors, 4], f.Tensor("priors").shape);
        Assert.Equal([anchors, 4], f.Tensor("priors_nonsquare").shape);
        Assert.Equal([2L, 40, 40], f.Tensor("proto_channels01").shape);
        Assert.Equal([(long)f.MaskDim], f.Tensor("proto_means").shape);

        long sampled = (anchors + f.AnchorStride - 1) / f.AnchorStride;
        Assert.Equal([sampled, 4], f.Every("loc").shape);
        Assert.Equal([sampled, f.NumClasses], f.Every("conf").shape);
        Assert.Equal([sampled, f.MaskDim], f.Every("coeffs").shape);
        Assert.Equal([4L], f.Tensor("loc_colsums").shape);
        Assert.Equal([(long)f.NumClasses], f.Tensor("conf_colsums").shape);
        Assert.Equal([(long)f.MaskDim], f.Tensor("coeffs_colsums").shape);

        foreach (var key in new[] { "B", "C", "M", "S" })
            Assert.True(double.IsFinite(f.Loss(key)) && f.Loss(key) > 0, $"loss {key}");
        var confT = f.Tensor("conf_t");
        Assert.Equal([anchors], confT.shape);
        Assert.Equal([anchors], f.Tensor("idx_t").shape);
        Assert.Equal(f.Scalar("num_pos"), confT.gt(0).sum().item<long>());
        Assert.InRange(confT.min().item<long>(), -1, 0);
        Assert.InRange(confT.max().item<long>(), 1, f.NumClasses - 1);

        AssertDetections(f);
    }

    [Fact]
    public void SmallCaseAnchorsFollowTheDocumentedLayout()
    {
        // The first anchor is P3's cell (0, 0) at aspect ratio 1: centre half a cell in, side scale / max_size.
        var priors = small.Tensor("priors");
        TensorAssert.Equal(torch.tensor(new[] { 0.5f / 20, 0.5f / 20, 6f / 160, 6f / 160 }), priors[0], "first prior");
        // Square anchors copy w into h; the non-square ones keep h = scale / ar / max_size.
        TensorAssert.Equal(priors[.., 2], priors[.., 3], "square anchors");
        var nonsquare = small.Tensor("priors_nonsquare");
        TensorAssert.Equal(priors[.., ..3], nonsquare[.., ..3], "centres and widths");
        Assert.True(nonsquare[.., 2].ne(nonsquare[.., 3]).any().item<bool>());
    }

    [Fact]
    public void RebuiltInputsAreTheScriptsInputs()
    {
        using var image = small.RawImage();
        Assert.Equal([120L, 150, 3], image.shape);
        var flat = image.flatten().to(ScalarType.Int64);
        Assert.Equal(small.Scalar("image_sum"), flat.sum().item<long>());
        Assert.Equal(small.Scalar("image_index_weighted_sum"), (flat * torch.arange(flat.shape[0])).sum().item<long>());

        Assert.Equal(4, small.Targets().Count);
        Assert.Equal(1, small.NumCrowds);
        TensorAssert.Equal(small.Tensor("target_boxes"), small.TargetBoxes(), "target boxes");
        using var masks = small.TargetMasks();
        Assert.Equal([4L, 160, 160], masks.shape);
        TensorAssert.Equal(small.Tensor("target_mask_areas"), masks.sum([1, 2]).to(ScalarType.Int64), "target mask areas");
    }

    [Fact]
    public void StateDictNamesAreTheReferences()
    {
        var names = small.StateDict();
        Assert.Equal(names.Count, names.Select(n => n.Key).Distinct().Count());
        var byName = names.ToDictionary(n => n.Key, n => n.Shape);
        Assert.Equal([64L, 3, 7, 7], byName["backbone.conv1.weight"]);
        Assert.Equal([256L, 2048, 1, 1], byName["fpn.lat_layers.0.weight"]); // reversed: 0 is C5's lateral
        Assert.Equal([256L, 512, 1, 1], byName["fpn.lat_layers.2.weight"]);
        Assert.Equal([32L, 256, 1, 1], byName["proto_net.10.weight"]);
        Assert.Equal([3L * 5, 256, 3, 3], byName["prediction_layers.0.conf_layer.weight"]);
        Assert.Equal([4L, 256, 1, 1], byName["semantic_seg_conv.weight"]);
        Assert.Contains("backbone.layers.3.2.bn3.num_batches_tracked", byName.Keys);
    }

    [Fact]
    public void LargeCaseHasTheDocumentedShapes()
    {
        var f = large;
        Assert.Equal((200, 260, 550, 81), (f.Height, f.Width, f.MaxSize, f.NumClasses));
        Assert.Equal([24, 48, 96, 192, 384], f.AnchorScales);
        Assert.Equal([32L], f.Tensor("proto_means").shape);
        for (int level = 0; level < 5; level++) Assert.Equal([256L], f.Tensor($"fpn{level}_means").shape);
        Assert.Equal(20, f.MaskCount);
        AssertDetections(f);
    }

    static void AssertDetections(YolactFixture f)
    {
        var classes = f.Tensor("det_classes");
        long n = classes.shape[0];
        Assert.InRange(n, 1, 100);
        Assert.InRange(classes.min().item<long>(), 0, f.NumClasses - 2);
        Assert.InRange(classes.max().item<long>(), 0, f.NumClasses - 2);
        var scores = f.Tensor("det_scores");
        Assert.Equal([n], scores.shape);
        Assert.True(scores.diff().le(0).all().item<bool>(), "scores descending");
        Assert.Equal([n, 4], f.Tensor("det_boxes_relative").shape);
        var pixels = f.Tensor("det_boxes_pixels");
        Assert.Equal([n, 4], pixels.shape);
        Assert.True(pixels.ge(0).all().item<bool>());
        Assert.True(pixels[.., 2].le(f.Width).all().item<bool>() && pixels[.., 3].le(f.Height).all().item<bool>());

        var masks = f.Masks();
        Assert.Equal(f.MaskCount, masks.Count);
        Assert.InRange(masks.Count, 1, n);
        Assert.All(masks, m => Assert.Equal((f.Height, f.Width), (m.Height, m.Width)));
        Assert.Equal(f.Tensor("mask_areas").data<long>().ToArray(), masks.Select(m => (long)m.Area()).ToArray());
    }
}
