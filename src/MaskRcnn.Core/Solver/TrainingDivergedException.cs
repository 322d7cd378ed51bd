namespace MaskRcnn.Solver;

/// <summary>The optimisation went non-finite (a loss, or the weights after a step, or the state about to be saved):
/// training stops, and the last checkpoint on disk is left as it was.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);
