namespace MaskRcnn.Checkpoint.Naming;

/// <summary>
/// Whether a weight (our names) is sized by the class count, in any architecture: weights of another class count
/// leave such a layer as initialised (fine-tuning to other classes). Our architectures' names do not overlap, so the
/// loader needs no model to ask.
/// </summary>
public static class ClassSpecificWeights
{
    public static bool Contains(string ourName) => MaskRcnnBenchmarkNames.IsClassSpecific(ourName) || YolactNames.IsClassSpecific(ourName);
}
