namespace MaskRcnn.Checkpoint.Naming;

/// <summary>A weight file that is well-formed but cannot be used (unknown naming, wrong format, does not fit the model).</summary>
public class WeightFileException(string message) : Exception(message);
