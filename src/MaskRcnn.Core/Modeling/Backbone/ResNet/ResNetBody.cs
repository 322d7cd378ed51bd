using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Backbone.ResNet;

/// <summary>
/// maskrcnn-benchmark's ResNet body: <c>stem</c> then stages <c>layer1</c>… (strides 4, 8, 16, 32), returning the
/// outputs of the chosen stages. Bodies ending at layer3 are the C4 bodies (the box head runs layer4 on RoIs).
/// No stage is dilated: as in maskrcnn-benchmark, RES5_DILATION applies to the C4 head only.
/// </summary>
public sealed class ResNetBody : BackboneBody
{
    readonly ResNetStem stem;
    readonly Sequential[] stages;
    readonly bool[] returned;
    readonly int[] outChannels, strides;

    /// <param name="stageCount">How many stages to build: 3 (C4) or 4.</param>
    /// <param name="returnedStages">Which stages' outputs to return, 1-based, increasing.</param>
    public ResNetBody(ResNetLayout layout, ResNetWidths widths, int stageCount, IReadOnlyList<int> returnedStages,
        NormLayerFactory stemNorm, NormLayerFactory blockNorm) : base(nameof(ResNetBody))
    {
        if (stageCount < 1 || stageCount > layout.BlockCounts.Count)
            throw new ArgumentException($"ResNetBody: stage count must be 1..{layout.BlockCounts.Count}, got {stageCount}");
        if (returnedStages.Count == 0 || returnedStages.Any(s => s < 1 || s > stageCount) || returnedStages.Zip(returnedStages.Skip(1)).Any(p => p.First >= p.Second))
            throw new ArgumentException($"ResNetBody: returned stages must increase within 1..{stageCount}, got [{string.Join(", ", returnedStages)}]");
        stem = new ResNetStem(widths.StemOutChannels, stemNorm);
        register_module("stem", stem);
        stages = new Sequential[stageCount];
        returned = new bool[stageCount];
        int inChannels = widths.StemOutChannels;
        for (int i = 0; i < stageCount; i++)
        {
            int stage = i + 1;
            stages[i] = ResNetStages.Make(layout.Block, widths, stage, inChannels, layout.BlockCounts[i],
                firstStride: stage > 1 ? 2 : 1, dilation: 1, blockNorm);
            register_module($"layer{stage}", stages[i]);
            inChannels = widths.StageOutChannels(layout.Block, stage);
            returned[i] = returnedStages.Contains(stage);
        }
        outChannels = returnedStages.Select(s => widths.StageOutChannels(layout.Block, s)).ToArray();
        strides = returnedStages.Select(s => 2 << s).ToArray();
    }

    public override IReadOnlyList<int> OutChannels => outChannels;
    public override IReadOnlyList<int> Strides => strides;
    public override int FreezableStageCount => stages.Length + 1;

    public override Tensor[] forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var x = stem.call(input);
        var outputs = new List<Tensor>(outChannels.Length);
        for (int i = 0; i < stages.Length; i++)
        {
            x = stages[i].call(x);
            if (returned[i]) outputs.Add(x.MoveToOuterDisposeScope());
        }
        return outputs.ToArray();
    }

    /// <summary>Stage 0 is the stem, stage i is layer i: FREEZE_CONV_BODY_AT = 2 freezes the stem and layer1.</summary>
    public override void Freeze(int freezeAt)
    {
        if (freezeAt > FreezableStageCount)
            throw new ArgumentException($"ResNetBody: cannot freeze {freezeAt} stages of {FreezableStageCount} (stem and {stages.Length} layers)");
        for (int i = 0; i < freezeAt; i++)
            FreezeParameters(i == 0 ? stem : stages[i - 1]);
    }
}
