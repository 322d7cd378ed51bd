namespace MaskRcnn.Evaluation;

/// <summary>What a COCO evaluation compares: boxes or masks.</summary>
public enum IouType
{
    Bbox,
    Segm,
}

public static class IouTypes
{
    /// <summary>pycocotools' name: "bbox" or "segm".</summary>
    public static string Name(this IouType type) => type == IouType.Bbox ? "bbox" : "segm";

    /// <summary>"bbox", "segm" or "both".</summary>
    public static IouType[] Parse(string value) => value switch
    {
        "bbox" => [IouType.Bbox],
        "segm" => [IouType.Segm],
        "both" => [IouType.Bbox, IouType.Segm],
        _ => throw new Config.ConfigException($"--iou-type: unknown value '{value}'; expected bbox, segm or both"),
    };
}
