namespace MaskRcnn.Inference;

/// <summary>What <c>predict</c> runs and writes: the images (<see cref="ImageInputs.Find"/>), the output folder, the
/// score below which detections are dropped (from overlays, masks and JSON alike), and whether to save instance masks.</summary>
public sealed record FolderPredictionOptions(IReadOnlyList<ImageInput> Images, string OutputDir, double ScoreThreshold = 0.7, bool SaveMasks = false);
