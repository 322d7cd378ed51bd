using MaskRcnn.Checkpoint.Naming;

namespace MaskRcnn.Checkpoint;

/// <summary>
/// Detectron's Caffe2 files store each batch norm folded to a scale (<c>_bn_s</c>) and a bias (<c>_bn_b</c>): no running
/// statistics. maskrcnn-benchmark's FrozenBatchNorm then keeps mean 0 and variance 1, which is what loading sets.
/// </summary>
static class FoldedBatchNorm
{
    static readonly string[] Statistics = [".running_mean", ".running_var"];

    /// <summary>Whether <paramref name="modelName"/> is a running statistic the file folded away: the scheme folds norms
    /// and the norm's weight loads from the file (<paramref name="loadsFrom"/>: model name → file tensor). Only batch
    /// norms have running statistics, so a GroupNorm's scale never brings any.</summary>
    public static bool IsStatisticOf(WeightScheme scheme, string modelName, IReadOnlyDictionary<string, string> loadsFrom)
    {
        if (scheme != WeightScheme.Caffe2) return false;
        var suffix = Statistics.FirstOrDefault(s => modelName.EndsWith(s, StringComparison.Ordinal));
        return suffix is not null && loadsFrom.ContainsKey(modelName[..^suffix.Length] + ".weight");
    }
}
