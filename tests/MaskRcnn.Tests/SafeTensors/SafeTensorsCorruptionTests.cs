using System.Buffers.Binary;
using System.Text;
using MaskRcnn.SafeTensors;
using TorchSharp;

namespace MaskRcnn.Tests.SafeTensors;

/// <summary>Broken files are refused with one line naming the file and, where there is one, the tensor.</summary>
public class SafeTensorsCorruptionTests
{
    static byte[] Raw(string header, int dataBytes, ulong? declaredLength = null)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        return bytes;
    }

    static string Refused(byte[] content)
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "bad.safetensors");
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Load(path).Dispose());
        Assert.StartsWith($"{path}: ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e.Message[(path.Length + 2)..];
    }

    static string Tensor(string name, string dtype, string shape, long begin, long end) =>
        $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    [Fact]
    public void TooShortForTheLength() => Assert.Equal("file is 5 bytes, too short for the 8-byte header length", Refused(new byte[5]));

    [Fact]
    public void LengthPastTheEnd() =>
        Assert.Equal("header length 1000 runs past the end of the file (10 bytes)", Refused(Raw("{}", 0, declaredLength: 1000)));

    [Fact]
    public void LengthOverTheLimit() => Assert.Contains("over the 100000000-byte limit", Refused(Raw("{}", 0, declaredLength: 1UL << 40)));

    [Fact]
    public void HeaderNotUtf8() => Assert.Equal("header is not valid UTF-8", Refused([.. Raw("{}", 0, declaredLength: 3), 0xFF]));

    [Fact]
    public void HeaderNotJson() => Assert.StartsWith("header is not valid JSON", Refused(Raw("{\"a\":", 0)));

    [Fact]
    public void HeaderNotAnObject() => Assert.Equal("header is a JSON array, expected an object", Refused(Raw("[1,2]", 0)));

    [Fact]
    public void UnknownAndUnsupportedDtypes()
    {
        Assert.StartsWith("tensor 'w': unknown dtype 'F33' (expected one of I64, F64, F32", Refused(Raw("{" + Tensor("w", "F33", "[1]", 0, 4) + "}", 4)));
        Assert.Equal("tensor 'w': dtype U16 is not supported (no TorchSharp tensor type)", Refused(Raw("{" + Tensor("w", "U16", "[2]", 0, 4) + "}", 4)));
    }

    [Fact]
    public void BadShapes()
    {
        Assert.Equal("tensor 'w': shape [-1] must hold non-negative integers", Refused(Raw("{" + Tensor("w", "F32", "[-1]", 0, 4) + "}", 4)));
        Assert.Equal("tensor 'w': shape [1.5] must hold non-negative integers", Refused(Raw("{" + Tensor("w", "F32", "[1.5]", 0, 4) + "}", 4)));
        Assert.Equal("tensor 'w': shape [4294967296,4294967296,4] overflows",
            Refused(Raw("{" + Tensor("w", "F32", "[4294967296,4294967296,4]", 0, 4) + "}", 4)));
    }

    [Fact]
    public void SizeDisagreesWithDtypeAndShape() =>
        Assert.Equal("tensor 'w': F32 [2,3] needs 24 bytes but data_offsets [0, 20] hold 20", Refused(Raw("{" + Tensor("w", "F32", "[2,3]", 0, 20) + "}", 20)));

    [Fact]
    public void OffsetsBackwards() =>
        Assert.Equal("tensor 'w': data_offsets [8, 4] end before they begin", Refused(Raw("{" + Tensor("w", "F32", "[1]", 8, 4) + "}", 8)));

    [Fact]
    public void OffsetsOverlap() =>
        Assert.Equal("tensor 'b': data_offsets [4, 12] overlap tensor 'a' [0, 8]",
            Refused(Raw("{" + Tensor("a", "F32", "[2]", 0, 8) + "," + Tensor("b", "F32", "[2]", 4, 12) + "}", 12)));

    [Fact]
    public void OffsetsLeaveAGap() =>
        Assert.Equal("tensor 'b': data_offsets [8, 12] leave a gap after byte 4",
            Refused(Raw("{" + Tensor("a", "F32", "[1]", 0, 4) + "," + Tensor("b", "F32", "[1]", 8, 12) + "}", 12)));

    [Fact]
    public void OffsetsPastTheData() =>
        Assert.Equal("tensor 'w': data_offsets [0, 16] run past the data section (8 bytes; file truncated?)",
            Refused(Raw("{" + Tensor("w", "F32", "[4]", 0, 16) + "}", 8)));

    [Fact]
    public void TrailingBytes() =>
        Assert.Equal("data section is 12 bytes but the tensors cover 8 (trailing bytes)", Refused(Raw("{" + Tensor("w", "F32", "[2]", 0, 8) + "}", 12)));

    [Fact]
    public void DuplicateNamesAndFields()
    {
        Assert.Equal("tensor 'w' appears twice in the header",
            Refused(Raw("{" + Tensor("w", "F32", "[1]", 0, 4) + "," + Tensor("w", "F32", "[1]", 4, 8) + "}", 8)));
        Assert.Equal("tensor 'w': field 'dtype' appears twice",
            Refused(Raw("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4)));
        Assert.Equal("tensor 'w': unknown field 'strides' (expected dtype, shape, data_offsets)",
            Refused(Raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"strides\":[1],\"data_offsets\":[0,4]}}", 4)));
    }

    [Fact]
    public void MissingFields()
    {
        Assert.Equal("tensor 'w': missing or non-string 'dtype'", Refused(Raw("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4)));
        Assert.Equal("tensor 'w': missing 'data_offsets' or not a pair [begin, end]", Refused(Raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4)));
        Assert.Equal("tensor 'w': entry must be an object, got a number", Refused(Raw("{\"w\":3}", 0)));
    }

    [Fact]
    public void MetadataMustBeStrings() =>
        Assert.Equal("__metadata__ value of 'epoch' must be a string, got a number", Refused(Raw("{\"__metadata__\":{\"epoch\":3}}", 0)));

    [Fact]
    public void BoolBytesMustBeZeroOrOne()
    {
        var bytes = Raw("{" + Tensor("mask", "BOOL", "[3]", 0, 3) + "}", 3);
        bytes[^1] = 2;
        Assert.Equal("tensor 'mask': BOOL data holds a byte other than 0 or 1", Refused(bytes));
    }

    [Fact]
    public void TruncatedFileFound()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "good.safetensors");
        using var t = torch.ones(16);
        SafeTensorsWriter.Write(path, [new("t", t)]);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal("tensor 't': data_offsets [0, 64] run past the data section (60 bytes; file truncated?)", Refused(bytes[..^4]));
    }

    [Fact]
    public void MissingFileIsNamed()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "w.safetensors");
        var e = Assert.Throws<SafeTensorsException>(() => SafeTensorsFile.Open(path));
        Assert.StartsWith($"{path}: cannot open: ", e.Message);
    }

    [Fact]
    public void EmptyHeaderIsAValidEmptyFile()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "empty.safetensors");
        File.WriteAllBytes(path, Raw("{}      ", 0));
        using var read = SafeTensorsFile.Load(path);
        Assert.Empty(read);
    }
}
