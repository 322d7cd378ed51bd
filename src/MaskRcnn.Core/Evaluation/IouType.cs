namespace MaskRcnn.Evaluation;

/// <summary>What a COCO evaluation compares: boxes, masks or keypoints (by OKS).</summary>
public enum IouType
{
    Bbox,
    Segm,
    Keypoints,
}

public static class IouTypes
{
    /// <summary>pycocotools' name: "bbox", "segm" or "keypoints".</summary>
    public static string Name(this IouType type) => type switch
    {
        IouType.Bbox => "bbox",
        IouType.Segm => "segm",
        _ => "keypoints",
    };

    /// <summary>"bbox", "segm", "keypoints", "both" (bbox and segm), or a comma-separated list of them.</summary>
    public static IouType[] Parse(string value)
    {
        var types = new List<IouType>();
        foreach (var part in value.Split(','))
        {
            IouType[] parsed = part.Trim() switch
            {
                "bbox" => [IouType.Bbox],
                "segm" => [IouType.Segm],
                "keypoints" => [IouType.Keypoints],
                "both" => [IouType.Bbox, IouType.Segm],
                _ => throw new Config.ConfigException($"--iou-type: unknown value '{part}'; expected bbox, segm, keypoints, both, or a comma-separated list"),
            };
            foreach (var type in parsed)
                if (!types.Contains(type)) types.Add(type);
        }
        return types.ToArray();
    }
}
