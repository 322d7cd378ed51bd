namespace MaskRcnn.Evaluation;

/// <summary>An object-size range for evaluation, by area in pixels (both ends inclusive, as pycocotools compares).</summary>
public readonly record struct AreaRange(string Label, double Min, double Max)
{
    public bool Excludes(double area) => area < Min || area > Max;
}
