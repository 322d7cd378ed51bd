using System.Text.Json;
using MaskRcnn.SafeTensors;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.SafeTensors;

/// <summary>Files written by scripts/pth_to_safetensors.py's writer (scripts/make_checkpoint_fixtures.py), read back.</summary>
public class SafeTensorsPythonFixtureTests
{
    static string Fixture(string name) => TestPaths.Fixture(Path.Combine("checkpoint", name));

    /// <summary>The values torch had, as the script dumped them (non-finite floats as "inf", "-inf", "nan").</summary>
    static void AssertValues(JsonElement expected, Tensor actual, string name)
    {
        Assert.Equal(expected.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()), actual.shape);
        var values = expected.GetProperty("values").EnumerateArray().ToList();
        Assert.Equal(values.Count, (int)actual.numel());
        var flat = actual.reshape(-1);
        for (var i = 0; i < values.Count; i++)
        {
            var v = values[i];
            switch (actual.dtype)
            {
                case ScalarType.Bool:
                    Assert.Equal(v.GetBoolean(), flat[i].item<bool>());
                    break;
                case ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float64:
                    var got = flat[i].to(ScalarType.Float64).item<double>();
                    var want = v.ValueKind == JsonValueKind.String
                        ? v.GetString() switch { "inf" => double.PositiveInfinity, "-inf" => double.NegativeInfinity, _ => double.NaN }
                        : v.GetDouble();
                    // Bit-exact, -0.0 and NaN included.
                    Assert.True(BitConverter.DoubleToInt64Bits(want) == BitConverter.DoubleToInt64Bits(got) || (double.IsNaN(want) && double.IsNaN(got)),
                        $"{name}[{i}]: expected {want:R}, got {got:R}");
                    break;
                default:
                    Assert.Equal(v.GetInt64(), flat[i].to(ScalarType.Int64).item<long>());
                    break;
            }
        }
    }

    [Fact]
    public void EveryDtypeWrittenByPythonReadsBackWithTheSameValues()
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(Fixture("python_dtypes.json")));
        using var read = SafeTensorsFile.Load(Fixture("python_dtypes.safetensors"));
        var tensors = expected.RootElement.GetProperty("tensors");
        Assert.Equal(tensors.EnumerateObject().Select(p => p.Name).Order(), read.Names.Order());
        foreach (var entry in tensors.EnumerateObject())
        {
            Assert.Equal(entry.Value.GetProperty("dtype").GetString(), SafeTensorsDtype.NameOf(read[entry.Name].dtype));
            AssertValues(entry.Value, read[entry.Name], entry.Name);
        }
        var metadata = expected.RootElement.GetProperty("metadata").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        Assert.Equal(metadata.OrderBy(m => m.Key), read.Metadata.OrderBy(m => m.Key));
    }

    [Fact]
    public void OurWriterReproducesThePythonFileByteForByte()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "again.safetensors");
        using var read = SafeTensorsFile.Load(Fixture("python_dtypes.safetensors"));
        SafeTensorsWriter.Write(path, read);
        Assert.Equal(File.ReadAllBytes(Fixture("python_dtypes.safetensors")), File.ReadAllBytes(path));
    }

    [Fact]
    public void MaskRcnnBenchmarkCheckpointConvertedByTheScriptKeepsItsModelTensors()
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(Fixture("maskrcnn_benchmark_checkpoint.json")));
        using var read = SafeTensorsFile.Load(Fixture("maskrcnn_benchmark_checkpoint.safetensors"));
        var tensors = expected.RootElement.GetProperty("tensors");
        // The "model" dict only (optimizer, scheduler and iteration are left out), names as saved: with "module.".
        Assert.Equal(tensors.EnumerateObject().Select(p => "module." + p.Name).Order(), read.Names.Order());
        Assert.Equal("pt", read.Metadata["format"]);
        foreach (var entry in tensors.EnumerateObject()) AssertValues(entry.Value, read["module." + entry.Name], entry.Name);
    }
}
