using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Backbone.ResNet;

/// <summary>
/// One ResNet stage (maskrcnn-benchmark's <c>_make_stage</c>): blocks named 0, 1, … in a Sequential, the first with
/// the stage's stride and the input width, the others stride 1.
/// </summary>
public static class ResNetStages
{
    /// <param name="stage">1 for layer1 … 4 for layer4.</param>
    /// <param name="firstStride">Stride of the first block (maskrcnn-benchmark: 1 for layer1, 2 after).</param>
    public static Sequential Make(ResNetBlockKind block, ResNetWidths widths, int stage, int inChannels, int blockCount,
        int firstStride, int dilation, NormLayerFactory norm)
    {
        if (blockCount < 1) throw new ArgumentException($"ResNet stage {stage}: needs at least one block, got {blockCount}");
        int outChannels = widths.StageOutChannels(block, stage);
        var blocks = new nn.Module<Tensor, Tensor>[blockCount];
        for (int i = 0; i < blockCount; i++)
        {
            int stride = i == 0 ? firstStride : 1;
            int blockIn = i == 0 ? inChannels : outChannels;
            blocks[i] = block switch
            {
                ResNetBlockKind.Bottleneck => new BottleneckBlock(blockIn, widths.StageBottleneckChannels(stage), outChannels,
                    widths.NumGroups, widths.StrideIn1x1, stride, dilation, norm),
                ResNetBlockKind.Basic => Basic(blockIn, outChannels, stride, dilation, widths, norm),
                _ => throw new ArgumentOutOfRangeException(nameof(block)),
            };
        }
        return nn.Sequential(blocks);
    }

    static BasicBlock Basic(int inChannels, int outChannels, int stride, int dilation, ResNetWidths widths, NormLayerFactory norm)
    {
        // torchvision's BasicBlock has neither groups nor dilation.
        if (widths.NumGroups != 1) throw new ArgumentException($"BasicBlock ResNets have no groups (NUM_GROUPS 1), got {widths.NumGroups}");
        if (dilation != 1) throw new ArgumentException($"BasicBlock ResNets have no dilation, got {dilation}");
        return new BasicBlock(inChannels, outChannels, stride, norm);
    }
}
