using MaskRcnn.Config;
using MaskRcnn.Modeling;
using MaskRcnn.Modeling.Backbone;
using MaskRcnn.Modeling.Backbone.Fpn;
using MaskRcnn.Modeling.RoiHeads.Box;
using MaskRcnn.Modeling.RoiHeads.Mask;

namespace MaskRcnn.Tests.Modeling;

/// <summary>The model's registries hold exactly the names config validation accepts (so a valid config always finds its
/// builder, and a name validation lets through is never missing here), and refuse others with the registry's message.</summary>
[Collection(Engine.TrainingCollection.Name)] // building a model draws on torch's global generator
public sealed class ModelRegistriesTests
{
    public static TheoryData<string, string[]> Registries() => new()
    {
        { MaskRcnn.Modeling.MetaArch.MetaArchitectures.Registry.Key, [.. MaskRcnn.Modeling.MetaArch.MetaArchitectures.Registry.Names] },
        { BackboneFactory.Bodies.Key, [.. BackboneFactory.Bodies.Names] },
        { NormLayers.Blocks.Key, [.. NormLayers.Blocks.Names] },
        { NormLayers.Stems.Key, [.. NormLayers.Stems.Names] },
        { BoxFeatureExtractors.Registry.Key, [.. BoxFeatureExtractors.Registry.Names] },
        { BoxPredictors.Registry.Key, [.. BoxPredictors.Registry.Names] },
        { MaskFeatureExtractors.Registry.Key, [.. MaskFeatureExtractors.Registry.Names] },
        { MaskPredictors.Registry.Key, [.. MaskPredictors.Registry.Names] },
        { MaskRcnn.Modeling.RoiHeads.Keypoint.KeypointHeadParts.Extractors.Key, [.. MaskRcnn.Modeling.RoiHeads.Keypoint.KeypointHeadParts.Extractors.Names] },
        { MaskRcnn.Modeling.RoiHeads.Keypoint.KeypointHeadParts.Predictors.Key, [.. MaskRcnn.Modeling.RoiHeads.Keypoint.KeypointHeadParts.Predictors.Names] },
        { BoxConventions.Registry.Key, [.. BoxConventions.Registry.Names] },
    };

    [Theory]
    [MemberData(nameof(Registries))]
    public void EachRegistryHoldsExactlyTheValuesValidationAccepts(string key, string[] names) =>
        Assert.Equal(ConfigSupport.SupportedValues(key).Order(), names.Order());

    [Fact]
    public void TheFpnTopBlocksAreMaskRcnnBenchmarks()
    {
        Assert.Equal([FpnTopBlocks.MaxPool, FpnTopBlocks.P6P7], FpnTopBlocks.Registry.Names);
        var cfg = new MaskRcnnConfig();
        Assert.IsType<LastLevelMaxPool>(FpnTopBlocks.Build(FpnTopBlocks.MaxPool, cfg, 2048, 256));
        // P6 from C5 under RETINANET.USE_C5 (the default), else from P5.
        Assert.False(Assert.IsType<LastLevelP6P7>(FpnTopBlocks.Build(FpnTopBlocks.P6P7, cfg, 2048, 256)).UsesP5);
        cfg.Model.RetinaNet.UseC5 = false;
        Assert.True(Assert.IsType<LastLevelP6P7>(FpnTopBlocks.Build(FpnTopBlocks.P6P7, cfg, 2048, 256)).UsesP5);
        Assert.Equal("FPN top block: unknown value 'LastLevelP6' (did you mean 'LastLevelP6P7'?); registered: LastLevelMaxPool, LastLevelP6P7",
            Assert.Throws<ConfigException>(() => FpnTopBlocks.Build("LastLevelP6", cfg, 2048, 256)).Message);
    }

    /// <summary>Validation at load stops such names first; a config changed in code after loading meets the registry.</summary>
    static ConfigException Refused(Action<MaskRcnnConfig> change)
    {
        var cfg = Inference.TinyModel.Config();
        change(cfg);
        return Assert.ThrowsAny<ConfigException>(() => ModelBuilder.Build(cfg));
    }

    [Fact]
    public void ANameNoBuilderHasIsRefusedWhenTheModelIsBuilt()
    {
        Assert.Equal("MODEL.META_ARCHITECTURE: unknown value 'GeneralizedRCN' (did you mean 'GeneralizedRCNN'?); registered: GeneralizedRCNN, YOLACT",
            Assert.IsType<ConfigException>(Refused(c => c.Model.MetaArchitecture = "GeneralizedRCN")).Message);
        Assert.Equal("MODEL.ROI_BOX_HEAD.FEATURE_EXTRACTOR: unknown value 'FPN2MLPFeatureExtracter' (did you mean 'FPN2MLPFeatureExtractor'?); registered: ResNet50Conv5ROIFeatureExtractor, FPN2MLPFeatureExtractor, FPNXconv1fcFeatureExtractor",
            Refused(c => c.Model.RoiBoxHead.FeatureExtractor = "FPN2MLPFeatureExtracter").Message);
        Assert.Equal("MODEL.ROI_MASK_HEAD.PREDICTOR: unknown value 'MaskRCNNConv1x1Predictor' (did you mean 'MaskRCNNC4Predictor'?); registered: MaskRCNNC4Predictor",
            Refused(c => c.Model.RoiMaskHead.Predictor = "MaskRCNNConv1x1Predictor").Message);
        Assert.Equal("MODEL.RESNETS.TRANS_FUNC: unknown value 'BottleneckWithGn' (did you mean 'BottleneckWithGN'?); registered: BottleneckWithFixedBatchNorm, BottleneckWithGN",
            Refused(c => c.Model.ResNets.TransFunc = "BottleneckWithGn").Message);
    }

    [Fact]
    public void AC4MaskHeadOfItsOwnIsStillNotSupported()
    {
        var e = Assert.IsType<ConfigNotSupportedException>(Refused(c => c.Model.RoiMaskHead.FeatureExtractor = "ResNet50Conv5ROIFeatureExtractor"));
        Assert.Equal("not supported yet: MODEL.ROI_MASK_HEAD.FEATURE_EXTRACTOR (a ResNet50Conv5ROIFeatureExtractor mask head of its own " +
                     "(set SHARE_BOX_FEATURE_EXTRACTOR True for C4 models))", e.Message);
    }
}
