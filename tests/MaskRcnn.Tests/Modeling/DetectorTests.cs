using MaskRcnn.Modeling;
using MaskRcnn.Modeling.MetaArch;
using MaskRcnn.Modeling.Postprocessing;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using MaskRcnn.Tests.Engine;
using MaskRcnn.Tests.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling;

[Collection(TrainingCollection.Name)] // building a model draws on torch's global generator
public sealed class DetectorTests
{
    [Fact]
    public void TheBuiltModelIsAGeneralizedRcnnWithTheConfigsClassCount()
    {
        var cfg = TinyModel.Config("MODEL.ROI_BOX_HEAD.NUM_CLASSES", "6");
        Assert.Equal(6, cfg.Model.NumClasses);
        Assert.Equal("MODEL.ROI_BOX_HEAD.NUM_CLASSES", cfg.Model.NumClassesKey);
        using var model = ModelBuilder.Build(cfg);
        Assert.IsType<GeneralizedRcnn>(model);
        Assert.Equal(6, model.NumClasses);
        Assert.True(model.HasMasks);
        Assert.True(model.IsClassSpecific("roi_heads.box.predictor.cls_score.weight"));
        Assert.False(model.IsClassSpecific("backbone.body.stem.conv1.weight"));
        cfg.Model.MaskOn = false;
        using var boxesOnly = ModelBuilder.Build(cfg);
        Assert.False(boxesOnly.HasMasks);
    }

    [Fact]
    public void DetectGivesTheNetworksDetectionsInEachOriginalImage()
    {
        torch.manual_seed(3);
        using var model = Assert.IsType<GeneralizedRcnn>(ModelBuilder.Build(TinyModel.Config()));
        model.PrepareForInference();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var images = ImageList.FromImages([torch.randn(3, 64, 80, generator: new Generator(1)), torch.randn(3, 48, 96, generator: new Generator(2))], 32);
        var originals = new[] { new ImageSize(128, 160), new ImageSize(30, 60) };
        var detected = model.Detect(images, originals);
        var raw = model.Forward(images).Detections;
        var toImage = new DetectionsToImage(maskThreshold: 0.5);
        Assert.Equal(2, detected.Count);
        for (int i = 0; i < 2; i++)
        {
            var expected = toImage.Apply(raw[i], originals[i]);
            Assert.Equal(originals[i], detected[i].Size);
            Assert.True(detected[i].Count > 0);
            TensorAssert.Equal(expected.Boxes, detected[i].Boxes);
            TensorAssert.Equal(expected.Field(BoxFields.Scores), detected[i].Field(BoxFields.Scores));
            Tensor expectedMasks = expected.Field<BitMasks>(BoxFields.Masks).Tensor, masks = detected[i].Field<BitMasks>(BoxFields.Masks).Tensor;
            Assert.Equal(expectedMasks.shape, masks.shape);
            Assert.True(expectedMasks.equal(masks).all().item<bool>());
        }
        Assert.Throws<ArgumentException>(() => model.Detect(images, originals[..1]));
    }
}
