namespace MaskRcnn.Engine.Events;

/// <summary>Opens a training run's writers. The run calls it once it holds OUTPUT_DIR and has accepted where it starts
/// (so a refused resume leaves no new file behind); <paramref name="say"/> writes a line to the console and log.txt.
/// A process that should write nothing returns no writers.</summary>
public delegate IEnumerable<ITrainingEventWriter> TrainingEventWriterFactory(Action<string> say);
