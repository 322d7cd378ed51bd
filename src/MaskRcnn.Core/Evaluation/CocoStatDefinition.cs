namespace MaskRcnn.Evaluation;

/// <summary>One of the 12 summary statistics: AP or AR, at one IoU threshold or all (null), for an area range and maxDets.</summary>
public sealed record CocoStatDefinition(string Name, bool IsPrecision, double? IouThreshold, string Area, int MaxDets);
