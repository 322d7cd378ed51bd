using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using MaskRcnn.SafeTensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.SafeTensors;

public class SafeTensorsRoundTripTests
{
    public static TheoryData<ScalarType> AllDtypes() =>
    [
        ScalarType.Float32, ScalarType.Float16, ScalarType.BFloat16, ScalarType.Float64, ScalarType.Int64,
        ScalarType.Int32, ScalarType.Int16, ScalarType.Int8, ScalarType.Byte, ScalarType.Bool,
    ];

    static Tensor Sample(ScalarType type, long[] shape, int seed)
    {
        var generator = new torch.Generator((ulong)seed);
        return type switch
        {
            ScalarType.Bool => torch.rand(shape, generator: generator) > 0.5,
            ScalarType.Byte => torch.randint(0, 256, shape, generator: generator).to(type),
            ScalarType.Int8 => torch.randint(-128, 128, shape, generator: generator).to(type),
            ScalarType.Int16 => torch.randint(-32768, 32768, shape, generator: generator).to(type),
            ScalarType.Int32 or ScalarType.Int64 => torch.randint(-1_000_000_000, 1_000_000_000, shape, generator: generator).to(type) * 2 + 1,
            _ => (torch.randn(shape, generator: generator) * 100).to(type),
        };
    }

    [Theory]
    [MemberData(nameof(AllDtypes))]
    public void EveryDtypeRoundTripsBitExactly(ScalarType type)
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "t.safetensors");
        using var matrix = Sample(type, [5, 7], seed: 1);
        using var scalar = Sample(type, [], seed: 2);
        using var empty = torch.zeros([0, 3], type);
        SafeTensorsWriter.Write(path, [new("matrix", matrix), new("scalar", scalar), new("empty", empty)]);
        using var read = SafeTensorsFile.Load(path);
        Assert.Equal(["empty", "matrix", "scalar"], read.Names.Order());
        foreach (var (name, expected) in new[] { ("matrix", matrix), ("scalar", scalar), ("empty", empty) })
        {
            Assert.Equal(type, read[name].dtype);
            Assert.Equal(expected.shape, read[name].shape);
            Assert.True(expected.bytes.SequenceEqual(read[name].bytes), $"{name} bytes differ");
        }
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    public void HalfPrecisionIsConvertedToFloat32WhenAsked(ScalarType type)
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "half.safetensors");
        using var half = Sample(type, [4, 4], seed: 3);
        using var other = torch.arange(3, dtype: ScalarType.Int64);
        SafeTensorsWriter.Write(path, [new("h", half), new("i", other)]);
        using var read = SafeTensorsFile.Load(path, halfToFloat32: true);
        Assert.Equal(ScalarType.Float32, read["h"].dtype);
        Assert.Equal(ScalarType.Int64, read["i"].dtype);
        TensorAssert.Equal(half.to(ScalarType.Float32), read["h"]);
    }

    [Fact]
    public void MetadataRoundTripsIncludingEscapesAndNonAscii()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "m.safetensors");
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["config"] = "MODEL:\n  WEIGHT: \"a+b<c>&d\"\t\\end",
            ["unicode"] = "héllo ✓ 日本 \U0001F600",
            ["empty"] = "",
        };
        using var t = torch.ones(2);
        SafeTensorsWriter.Write(path, [new("t", t)], metadata);
        using var read = SafeTensorsFile.Load(path);
        Assert.Equal(metadata.OrderBy(m => m.Key), read.Metadata.OrderBy(m => m.Key));
        // Written as serde_json would: '+', '<', '&' and non-ASCII text appear as themselves.
        var header = Encoding.UTF8.GetString(File.ReadAllBytes(path));
        Assert.Contains("a+b<c>&d", header);
        Assert.Contains("héllo ✓ 日本", header);
    }

    [Fact]
    public void LayoutFollowsTheReferenceWriter()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "layout.safetensors");
        using var b = torch.ones(3, dtype: ScalarType.Float16);
        using var a = torch.ones(1, dtype: ScalarType.Bool);
        using var c = torch.ones(2, dtype: ScalarType.Float32);
        using var d = torch.ones(2, dtype: ScalarType.Float32);
        using var e = torch.ones(1, dtype: ScalarType.Int64);
        SafeTensorsWriter.Write(path, [new("b16", b), new("bool", a), new("z32", c), new("a32", d), new("i64", e)], new Dictionary<string, string> { ["k"] = "v" });
        var bytes = File.ReadAllBytes(path);
        var n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);
        var header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.StartsWith("{\"__metadata__\":{\"k\":\"v\"},\"i64\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},\"a32\":", header);
        using var json = JsonDocument.Parse(header);
        // Descending alignment, then name: I64, F32 (a32, z32), F16, BOOL; every tensor starts aligned to its size.
        Assert.Equal(["__metadata__", "i64", "a32", "z32", "b16", "bool"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(8 + n + 8 + 8 + 8 + 6 + 1, bytes.Length);
        Assert.EndsWith("}", header.TrimEnd(' '));
    }

    [Fact]
    public void TensorsThatAreViewsOrNotContiguousAreWrittenByValue()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "views.safetensors");
        using var m = torch.arange(12, dtype: ScalarType.Float32).reshape(3, 4);
        using var transposed = m.t();
        using var column = m[.., 1];
        var parameter = new TorchSharp.Modules.Parameter(torch.ones(2, 2));
        SafeTensorsWriter.Write(path, [new("t", transposed), new("col", column), new("p", parameter)]);
        using var read = SafeTensorsFile.Load(path);
        TensorAssert.Equal(transposed, read["t"]);
        TensorAssert.Equal(column, read["col"]);
        TensorAssert.Equal(parameter, read["p"]);
    }

    [Fact]
    public void OneTensorCanBeReadAlone()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "one.safetensors");
        using var x = torch.arange(5, dtype: ScalarType.Int32);
        using var y = torch.ones(2);
        SafeTensorsWriter.Write(path, [new("x", x), new("y", y)]);
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(["x", "y"], file.Tensors.Select(t => t.Name).Order());
        using var read = file.Read("x");
        TensorAssert.Equal(x, read);
        var missing = Assert.Throws<SafeTensorsException>(() => file.Read("z"));
        Assert.Equal($"{path}: no tensor named 'z'", missing.Message);
    }

    [Fact]
    public void WriterRefusesDuplicateNamesAndTheMetadataKey()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "bad.safetensors");
        using var t = torch.ones(1);
        Assert.Contains("'a' given twice", Assert.Throws<SafeTensorsException>(() => SafeTensorsWriter.Write(path, [new("a", t), new("a", t)])).Message);
        Assert.Contains("cannot be named __metadata__", Assert.Throws<SafeTensorsException>(() => SafeTensorsWriter.Write(path, [new("__metadata__", t)])).Message);
        using var complex = torch.ones(1, dtype: ScalarType.ComplexFloat32);
        Assert.Contains("no dtype for ComplexFloat32", Assert.Throws<SafeTensorsException>(() => SafeTensorsWriter.Write(path, [new("c", complex)])).Message);
        Assert.False(File.Exists(path));
    }
}
