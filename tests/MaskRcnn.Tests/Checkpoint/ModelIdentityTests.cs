using MaskRcnn.Checkpoint;
using MaskRcnn.Config;

namespace MaskRcnn.Tests.Checkpoint;

public class ModelIdentityTests
{
    static IReadOnlyDictionary<string, string> Identity(params string[] overrides) =>
        ModelIdentity.Of(ConfigLoader.Load("shapes/mask_rcnn_R_18_FPN_gn", overrides));

    [Theory]
    [InlineData("MODEL.ROI_BOX_HEAD.NUM_CLASSES", "5")]
    [InlineData("MODEL.BACKBONE.CONV_BODY", "R-50-FPN")]
    [InlineData("MODEL.RPN.ASPECT_RATIOS", "(0.25, 1.0, 4.0)")]
    [InlineData("MODEL.MASK_ON", "False")]
    public void KeysThatMakeAnotherModelDiffer(string key, string value) =>
        Assert.Equal(key, Assert.Single(ModelIdentity.Differences(Identity(), Identity(key, value))).Split(' ')[0]);

    [Theory]
    [InlineData("MODEL.DEVICE", "cuda")]
    [InlineData("MODEL.WEIGHT", "other.safetensors")]
    [InlineData("MODEL.ROI_HEADS.SCORE_THRESH", "0.3")]
    [InlineData("MODEL.RPN.POST_NMS_TOP_N_TEST", "300")]
    [InlineData("MODEL.RPN.PRE_NMS_TOP_N_TRAIN", "1000")]
    [InlineData("MODEL.RPN.BATCH_SIZE_PER_IMAGE", "128")]
    [InlineData("MODEL.ROI_HEADS.FG_IOU_THRESHOLD", "0.6")]
    [InlineData("MODEL.ROI_HEADS.POSITIVE_FRACTION", "0.5")]
    [InlineData("MODEL.ROI_BOX_HEAD.SMOOTH_L1_BETA", "0.5")]
    public void WhereItRunsAndHowTrainingSamplesMayChangeOnResume(string key, string value) =>
        Assert.Empty(ModelIdentity.Differences(Identity(), Identity(key, value)));
}
