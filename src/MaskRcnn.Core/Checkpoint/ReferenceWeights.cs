using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Checkpoint;

/// <summary>
/// Deterministic "trained-looking" weights computed from a tensor's name and shape, so that parity tests and
/// benchmarks can give this tool and torchvision identical models without storing weights. The Python scripts
/// (scripts/make_model_fixture.py) use the same rule: h = FNV-1a 32-bit hash of the name; element i gets
/// u = ((i·2654435761 + h) mod 2³²)/2³²; then running_mean (2u−1)·0.1, running_var 0.5+u, 1-D weight 0.5+0.5u,
/// bias (2u−1)·0.1, other weights (2u−1)·√(6/fan_in); computed in double, stored as float32.
/// </summary>
public static class ReferenceWeights
{
    public static Tensor For(string name, long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var values = new float[n];
        var u = Uniform(name, n);
        Func<double, double> rule =
            name.EndsWith("running_mean") ? x => (2 * x - 1) * 0.1 :
            name.EndsWith("running_var") ? x => 0.5 + x :
            name.EndsWith("bias") ? x => (2 * x - 1) * 0.1 :
            name.EndsWith("weight") && shape.Length == 1 ? x => 0.5 + 0.5 * x :
            WeightRule(shape, n);
        for (long i = 0; i < n; i++) values[i] = (float)rule(u[i]);
        return torch.tensor(values, shape);
    }

    /// <summary>The rule's uniform numbers in [0, 1) for a name.</summary>
    public static double[] Uniform(string name, long n)
    {
        uint h = 2166136261;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(name)) h = unchecked((h ^ b) * 16777619);
        var u = new double[n];
        for (long i = 0; i < n; i++) u[i] = unchecked((uint)((ulong)i * 2654435761UL + h)) / 4294967296.0;
        return u;
    }

    static Func<double, double> WeightRule(long[] shape, long n)
    {
        double fanIn = shape.Length > 1 ? shape.Skip(1).Aggregate(1L, (a, b) => a * b) : n;
        double bound = Math.Sqrt(6.0 / fanIn);
        return x => (2 * x - 1) * bound;
    }
}
