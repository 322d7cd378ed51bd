using MaskRcnn.Checkpoint;
using MaskRcnn.Checkpoint.Naming;

namespace MaskRcnn.Inference;

/// <summary>How a COCO model's outputs map to COCO's 80 categories, which differs between the frameworks that publish weights.</summary>
public enum CocoLabelLayout
{
    /// <summary>torchvision's: 91 outputs, label = COCO category id; the ten ids COCO 2017 leaves unused are "N/A".</summary>
    ByCategoryId,

    /// <summary>maskrcnn-benchmark's, Detectron's and dbolya/yolact's: 81 outputs, labels 1..80 = the categories in sorted id order.</summary>
    SortedContiguous,
}

public static class CocoLabelLayouts
{
    /// <summary>The class count (background included) of a COCO model with this layout.</summary>
    public static int NumClasses(this CocoLabelLayout layout) => layout switch
    {
        CocoLabelLayout.ByCategoryId => 91,
        CocoLabelLayout.SortedContiguous => 81,
        _ => throw new ArgumentOutOfRangeException(nameof(layout)),
    };

    /// <summary>The layout of a COCO model published with <paramref name="scheme"/>'s names; null for ours, which may
    /// have been trained on anything. Every scheme but torchvision's follows Detectron's contiguous labels, so a scheme
    /// added later (caffe2's Detectron) needs nothing here.</summary>
    public static CocoLabelLayout? CocoLayout(this WeightScheme scheme) => scheme switch
    {
        WeightScheme.MaskRcnn => null,
        WeightScheme.Torchvision => CocoLabelLayout.ByCategoryId,
        _ => CocoLabelLayout.SortedContiguous,
    };

    /// <summary>The scheme loaded weights were published in: the file's, or for a file <c>maskrcnn convert</c> wrote, the
    /// one it was converted from (<see cref="CheckpointFormat.ConvertedFromKey"/>; a name this version does not know
    /// counts as ours, whose layout is unknown).</summary>
    public static WeightScheme OriginOf(LoadReport weights)
    {
        if (weights.Scheme != WeightScheme.MaskRcnn || !weights.Metadata.TryGetValue(CheckpointFormat.ConvertedFromKey, out var from)) return weights.Scheme;
        try
        {
            return WeightSchemeNames.Parse(from);
        }
        catch (ArgumentException)
        {
            return WeightScheme.MaskRcnn;
        }
    }
}
