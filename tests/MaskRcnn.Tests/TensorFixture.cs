using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests;

/// <summary>
/// Reference outputs written by a script in scripts/ (torchvision/torch computing on fixed inputs):
/// <c>{"op": ..., "versions": {...}, "cases": [{"name": ..., "params": {...}, "tensors": {NAME: {"shape": [...],
/// "dtype": "float32"|"float64"|"int64"|"bool", "data": [flat row-major values]}}}]}</c>.
/// Tests read them with no Python present.
/// </summary>
public sealed class TensorFixture
{
    public required string Op { get; init; }
    public required IReadOnlyList<FixtureCase> Cases { get; init; }

    public FixtureCase this[string name] => Cases.FirstOrDefault(c => c.Name == name)
        ?? throw new KeyNotFoundException($"fixture {Op} has no case '{name}'");

    public static TensorFixture Load(string relativePath)
    {
        var path = TestPaths.Fixture(relativePath);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        return new TensorFixture
        {
            Op = root.GetProperty("op").GetString()!,
            Cases = root.GetProperty("cases").EnumerateArray().Select(c => new FixtureCase(c.Clone())).ToList(),
        };
    }
}

public sealed class FixtureCase(JsonElement element)
{
    public string Name => element.GetProperty("name").GetString()!;

    public override string ToString() => Name;

    public bool Has(string tensor) => element.GetProperty("tensors").TryGetProperty(tensor, out _);

    public JsonElement Param(string name) => element.GetProperty("params").GetProperty(name);
    public double Double(string name) => Param(name).GetDouble();
    public int Int(string name) => Param(name).GetInt32();
    public bool Bool(string name) => Param(name).GetBoolean();

    /// <summary>A tensor of the case, as a CPU tensor of its stored dtype.</summary>
    public Tensor Tensor(string name)
    {
        var t = element.GetProperty("tensors").GetProperty(name);
        var shape = t.GetProperty("shape").EnumerateArray().Select(x => x.GetInt64()).ToArray();
        var data = t.GetProperty("data");
        return t.GetProperty("dtype").GetString() switch
        {
            "float32" => torch.tensor(data.EnumerateArray().Select(x => (float)x.GetDouble()).ToArray(), shape, ScalarType.Float32),
            "float64" => torch.tensor(data.EnumerateArray().Select(x => x.GetDouble()).ToArray(), shape, ScalarType.Float64),
            "int64" => torch.tensor(data.EnumerateArray().Select(x => x.GetInt64()).ToArray(), shape, ScalarType.Int64),
            "bool" => torch.tensor(data.EnumerateArray().Select(x => x.GetBoolean()).ToArray(), shape, ScalarType.Bool),
            var other => throw new NotSupportedException($"fixture dtype {other}"),
        };
    }
}

static class TensorAssert
{
    /// <summary>|a - b| &lt;= atol + rtol * |b| elementwise, with the worst element in the message.</summary>
    public static void Close(Tensor expected, Tensor actual, double rtol = 1e-5, double atol = 1e-6, string what = "")
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = torch.NewDisposeScope();
        var e = expected.to(ScalarType.Float64).cpu();
        var a = actual.to(ScalarType.Float64).cpu();
        var excess = (a - e).abs() - (atol + rtol * e.abs());
        if (excess.numel() == 0) return;
        var worst = excess.flatten().argmax().item<long>();
        var bad = excess.flatten()[worst].item<double>();
        Assert.True(bad <= 0, $"{what} element {worst}: expected {e.flatten()[worst].item<double>():R}, got {a.flatten()[worst].item<double>():R} (rtol {rtol}, atol {atol})");
    }

    public static void Equal(Tensor expected, Tensor actual, string what = "")
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(expected.cpu().eq(actual.cpu()).all().item<bool>(), $"{what}: tensors differ");
    }
}
