namespace MaskRcnn.Inference;

/// <summary>An input that could not be read, and why.</summary>
public sealed record SkippedFile(string Path, string Reason);

/// <summary>The end of a <c>predict</c> run: images predicted, detections kept, inputs skipped, where the JSON is, and
/// whether it stopped early on request (the JSON then covers the images done).</summary>
public sealed record FolderPredictionSummary(int Images, int Detections, IReadOnlyList<SkippedFile> Skipped, string PredictionsPath,
    bool Interrupted, TimeSpan Elapsed);
