using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling;

/// <summary>
/// Deterministic stand-in weights, computed the same way by scripts/reference_weights.py, so that parity tests and
/// benchmarks can give this tool and torchvision identical models without storing weights. Every tensor is filled from its torchvision key: h = FNV-1a 32-bit of the
/// UTF-8 key; element i (row-major) gets u = ((i·2654435761 + h) mod 2^32) / 2^32, then by key suffix
/// running_mean (2u−1)·0.1, running_var 0.5+u, bias (2u−1)·0.1, 1-D weight 0.5+0.5u, ≥2-D weight
/// (2u−1)·sqrt(6/fan_in) with fan_in = shape[1]·prod(shape[2:]); in double, stored as float32.
/// num_batches_tracked is left alone.
/// </summary>
public static class ReferenceWeights
{
    const ulong Golden = 2654435761;

    public static uint Fnv1a(string key)
    {
        uint h = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes(key))
            h = unchecked((h ^ b) * 16777619);
        return h;
    }

    /// <summary>u of element <paramref name="index"/> of the tensor named by hash <paramref name="h"/>.</summary>
    public static double Uniform(uint h, long index) => (double)((ulong)index * Golden + h & 0xFFFFFFFF) / 4294967296.0;

    /// <summary>The float32 CPU tensor of a torchvision key and shape, or null for keys the rule leaves alone.</summary>
    public static Tensor? Values(string key, long[] shape)
    {
        if (key.EndsWith("num_batches_tracked", StringComparison.Ordinal)) return null;
        long n = shape.Aggregate(1L, (a, b) => a * b);
        Func<double, double> map;
        if (key.EndsWith("running_mean", StringComparison.Ordinal)) map = u => (2 * u - 1) * 0.1;
        else if (key.EndsWith("running_var", StringComparison.Ordinal)) map = u => 0.5 + u;
        else if (key.EndsWith("bias", StringComparison.Ordinal)) map = u => (2 * u - 1) * 0.1;
        else if (key.EndsWith("weight", StringComparison.Ordinal) && shape.Length == 1) map = u => 0.5 + 0.5 * u;
        else if (key.EndsWith("weight", StringComparison.Ordinal))
        {
            double bound = Math.Sqrt(6.0 / (shape[1] * shape.Skip(2).Aggregate(1L, (a, b) => a * b)));
            map = u => (2 * u - 1) * bound;
        }
        else throw new ArgumentException($"no reference-weight rule for {key}");
        var h = Fnv1a(key);
        var data = new float[n];
        Parallel.For(0, (n + 65535) / 65536, chunk =>
        {
            long end = Math.Min(n, (chunk + 1) * 65536);
            for (long i = chunk * 65536; i < end; i++) data[i] = (float)map(Uniform(h, i));
        });
        return torch.tensor(data, shape);
    }

    /// <summary>A deterministic input, (2u − 1)·scale for the key's hash.</summary>
    /// <summary>A deterministic image in [0, 1): the rule's u for the key, as scripts/make_model_fixture.py makes it.</summary>
    public static Tensor UnitImage(string key, long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var h = Fnv1a(key);
        var data = new float[n];
        for (long i = 0; i < n; i++) data[i] = (float)Uniform(h, i);
        return torch.tensor(data, shape);
    }

    public static Tensor Image(string key, long[] shape, double scale = 1.0)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var h = Fnv1a(key);
        var data = new float[n];
        for (long i = 0; i < n; i++) data[i] = (float)((2 * Uniform(h, i) - 1) * scale);
        return torch.tensor(data, shape);
    }

    /// <summary>
    /// Fills a module from a list of torchvision keys and shapes mapped to its names; every tensor of the module
    /// must be filled exactly once and have the listed shape.
    /// </summary>
    public static void Load(nn.Module module, IEnumerable<(string Key, long[] Shape)> torchvisionTensors, Func<string, string?> toOurs)
    {
        var state = module.state_dict();
        var filled = new HashSet<string>();
        using var noGrad = torch.no_grad();
        foreach (var (key, shape) in torchvisionTensors)
        {
            var ours = toOurs(key);
            if (ours is null) continue;
            if (!state.TryGetValue(ours, out var target)) throw new InvalidOperationException($"{key} maps to {ours}, which the module does not have");
            if (!filled.Add(ours)) throw new InvalidOperationException($"{ours} filled twice");
            if (!shape.SequenceEqual(target.shape))
                throw new InvalidOperationException($"{key} is [{string.Join(", ", shape)}] but {ours} is [{string.Join(", ", target.shape)}]");
            using var values = Values(key, shape)!;
            target.copy_(values);
        }
        var missing = state.Keys.Where(k => !filled.Contains(k)).ToList();
        if (missing.Count > 0) throw new InvalidOperationException($"not filled: {string.Join(", ", missing.Take(10))}");
    }
}
