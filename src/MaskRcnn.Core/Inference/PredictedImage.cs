using MaskRcnn.Data.Coco;

namespace MaskRcnn.Inference;

/// <summary>One image of a prediction run: its id in predictions.json (1-based, in input order), the input's relative
/// path and location, its size, its outputs, and its detections above the score threshold (best first).</summary>
public sealed record PredictedImage(long Id, string FileName, string Path, int Width, int Height, PredictionOutputs Outputs,
    IReadOnlyList<CocoResult> Detections);
