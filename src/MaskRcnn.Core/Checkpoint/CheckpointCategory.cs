namespace MaskRcnn.Checkpoint;

/// <summary>One category a checkpoint's model detects: its dataset's category id and name. A checkpoint lists them in
/// label order (label 1 first; background is not listed).</summary>
public sealed record CheckpointCategory(long Id, string Name);
