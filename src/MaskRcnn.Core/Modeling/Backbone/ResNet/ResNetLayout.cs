namespace MaskRcnn.Modeling.Backbone.ResNet;

/// <summary>A ResNet depth: its block and how many blocks each of the four stages (layer1..layer4) has.</summary>
public sealed record ResNetLayout(ResNetBlockKind Block, IReadOnlyList<int> BlockCounts)
{
    public static ResNetLayout R18 { get; } = new(ResNetBlockKind.Basic, [2, 2, 2, 2]);
    public static ResNetLayout R34 { get; } = new(ResNetBlockKind.Basic, [3, 4, 6, 3]);
    public static ResNetLayout R50 { get; } = new(ResNetBlockKind.Bottleneck, [3, 4, 6, 3]);
    public static ResNetLayout R101 { get; } = new(ResNetBlockKind.Bottleneck, [3, 4, 23, 3]);
    public static ResNetLayout R152 { get; } = new(ResNetBlockKind.Bottleneck, [3, 8, 36, 3]);
}
