
namespace MaskRcnn.Checkpoint;

/// <summary>
/// Where <see cref="Checkpointer.LoadLatest"/> left training: model, optimizer and RNG are restored; the trainer
/// continues with iteration <see cref="Iteration"/> + 1, and the data loader with the same seed from there.
/// </summary>
public sealed record ResumePoint(string Path, long Iteration, int? DataLoaderSeed, LoadReport Report);
