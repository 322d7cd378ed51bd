namespace MaskRcnn.Modeling.Backbone.ResNet;

/// <summary>The residual block of a ResNet: two 3×3 convolutions (ResNet-18/34) or the 1×1-3×3-1×1 bottleneck.</summary>
public enum ResNetBlockKind
{
    Basic,
    Bottleneck,
}
