using MaskRcnn.Config;

namespace MaskRcnn.Modeling;

/// <summary>
/// Where the two reference implementations disagree on box arithmetic, one switch (<c>MODEL.BOX_CONVENTION</c>)
/// picks a side so that each one's weights reproduce its own results:
/// maskrcnn-benchmark (Detectron) anchors are centred at ((stride − 1)/2) with "+1" widths and its box coder
/// counts widths as x2 − x1 + 1; torchvision's anchors are zero-centred and rounded, its strides are the padded
/// image size divided by the feature size, and its box coder has no "+1".
/// </summary>
public enum BoxConvention
{
    MaskrcnnBenchmark,
    Torchvision,
}

public static class BoxConventions
{
    /// <summary>The conventions by MODEL.BOX_CONVENTION name.</summary>
    public static readonly Registry<BoxConvention> Registry = new("MODEL.BOX_CONVENTION",
        ("maskrcnn-benchmark", BoxConvention.MaskrcnnBenchmark),
        ("torchvision", BoxConvention.Torchvision));

    public static BoxConvention Parse(string value) => Registry.Get(value);

    /// <summary>The "+1" a box width gets under the convention (maskrcnn-benchmark's TO_REMOVE).</summary>
    public static float PlusOne(this BoxConvention convention) => convention == BoxConvention.MaskrcnnBenchmark ? 1f : 0f;
}
