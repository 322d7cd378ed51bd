using TorchSharp;
using TorchSharp.Modules;

namespace MaskRcnn.Solver;

/// <summary>
/// maskrcnn-benchmark's <c>make_optimizer</c>: SGD with MOMENTUM over every trainable parameter; parameters
/// whose name ends in "bias" at BASE_LR × BIAS_LR_FACTOR with WEIGHT_DECAY_BIAS, the rest at BASE_LR with
/// WEIGHT_DECAY. maskrcnn-benchmark makes one group per parameter; two groups (weights, then biases, each in
/// the model's parameter order) update identically. Frozen parameters never reach the optimizer.
/// </summary>
public static class OptimizerBuilder
{
    public static SGD Build(torch.nn.Module model, SolverOptions o)
    {
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).ToList();
        if (trainable.Count == 0) throw new ArgumentException("the model has no trainable parameters", nameof(model));
        var weights = trainable.Where(p => !IsBias(p.name)).Select(p => p.parameter).ToList();
        var biases = trainable.Where(p => IsBias(p.name)).Select(p => p.parameter).ToList();
        var groups = new List<SGD.ParamGroup>();
        if (weights.Count > 0) groups.Add(new SGD.ParamGroup(weights, lr: o.BaseLr, momentum: o.Momentum, weight_decay: o.WeightDecay));
        if (biases.Count > 0) groups.Add(new SGD.ParamGroup(biases, lr: o.BaseLr * o.BiasLrFactor, momentum: o.Momentum, weight_decay: o.WeightDecayBias));
        return torch.optim.SGD(groups, o.BaseLr, momentum: o.Momentum);
    }

    // maskrcnn-benchmark tests the name's ending, so "conv.bias" and "fpn_inner1.bias" alike.
    public static bool IsBias(string name) => name.EndsWith("bias", StringComparison.Ordinal);
}
