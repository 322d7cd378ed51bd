using MaskRcnn.Pickle;
using MaskRcnn.SafeTensors;
using MaskRcnn.WeightFiles;
using TorchSharp;

namespace MaskRcnn.Tests.WeightFiles;

/// <summary>
/// PyTorch (zip and legacy torch.save) and pickled numpy files read without Python, against the same tensors saved as
/// safetensors by scripts/make_weight_file_fixtures.py: views with offsets, transposed and stride-0 windows,
/// parameters, every dtype, 0-d and empty tensors, checkpoint containers, pickle protocols 2/4/5 and Python 2 strings.
/// </summary>
public class WeightFileFormatTests
{
    internal static string Fixture(string name) => TestPaths.Fixture(Path.Combine("weight_files", name));

    /// <summary>Same shape, dtype and every element (no NaN in these fixtures).</summary>
    internal static bool Same(torch.Tensor a, torch.Tensor b) =>
        a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.equal(b).all().item<bool>();

    [Theory]
    [InlineData("formats_zip.pth", "PyTorch zip", "")]
    [InlineData("formats_legacy.pth", "PyTorch legacy", "")]
    [InlineData("formats_checkpoint.pth", "PyTorch zip", "model")]
    [InlineData("formats_p2.pkl", "pickle", "model")]
    [InlineData("formats_p4.pkl", "pickle", "model")]
    [InlineData("formats_p5.pkl", "pickle", "model")]
    [InlineData("formats_py2.pkl", "pickle", "blobs")]
    public void EveryFormatReadsTheSameTensorsAsTheSafetensorsFile(string name, string format, string container)
    {
        // Array data of 16 bytes and more left in the file until read, and (by default) 64 KB and more.
        foreach (var lazyFrom in new long[] { 16, 1 << 16 })
            ReadsTheSameTensors(name, format, container, lazyFrom);
    }

    static void ReadsTheSameTensors(string name, string format, string container, long lazyFrom)
    {
        using var expected = SafeTensorsFile.Load(Fixture("formats.safetensors"));
        using var file = WeightFile.Open(Fixture(name), lazyFrom);
        Assert.Equal(format, file.Format);
        Assert.Equal(container, file.Metadata["container"]);
        var pickle = name.EndsWith(".pkl", StringComparison.Ordinal);
        // numpy has no bfloat16 (left out of the .pkl files); only the Python 2 file has the Fortran-order array.
        var names = expected.Names.Where(n => !(pickle && n == "d.bf16") && (name == "formats_py2.pkl" || n != "g.fortran")).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), file.Entries.Select(e => e.Name).Order(StringComparer.Ordinal));
        foreach (var entry in file.Entries)
        {
            var want = expected[entry.Name];
            Assert.Equal(want.shape, entry.Shape);
            Assert.Equal(want.dtype, entry.Type);
            using var got = file.Read(entry.Name);
            Assert.Equal(want.shape, got.shape);
            Assert.Equal(want.dtype, got.dtype);
            Assert.True(got.is_contiguous(), entry.Name);
            Assert.True(Same(want, got), $"{name}: {entry.Name} differs");
        }
    }

    [Fact]
    public void SafetensorsFilesOpenThroughTheSameDoor()
    {
        using var file = WeightFile.Open(Fixture("formats.safetensors"));
        Assert.Equal("safetensors", file.Format);
        using var tensor = file.Read("b.strided");
        Assert.Equal([5L, 7, 3], tensor.shape);
    }

    [Fact]
    public void AllFormatsOfTheTinyBackboneHoldEqualTensors()
    {
        using var zip = WeightFile.ReadAll(Fixture("tiny_r50_torchvision.pth"));
        foreach (var other in new[] { "tiny_r50_torchvision_legacy.pth", "tiny_r50_torchvision.pkl" })
        {
            using var tensors = WeightFile.ReadAll(Fixture(other));
            Assert.Equal(zip.Names, tensors.Names);
            foreach (var (name, tensor) in zip) Assert.True(Same(tensor, tensors[name]), $"{other}: {name}");
        }
    }

    [Theory]
    [InlineData("evil_os_system.pkl", "os.system")]
    [InlineData("evil_posix_system.pkl", "posix.system")]
    [InlineData("evil_zip.pth", "posix.system")]
    [InlineData("whole_module.pth", "torch.nn.modules.linear.Linear")]
    public void APickleAskingForAnyOtherClassIsRefusedInOneLine(string name, string global)
    {
        var marker = "/tmp/maskrcnn-pickle-ran";
        File.Delete(marker);
        var e = Assert.Throws<PickleException>(() => WeightFile.Open(Fixture(name)).Dispose());
        Assert.StartsWith(Fixture(name) + ": ", e.Message);
        Assert.Contains($"asks for {global},", e.Message);
        Assert.Contains("refused", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(File.Exists(marker));
    }

    [Theory]
    [InlineData("formats_zip.pth")]
    [InlineData("formats_legacy.pth")]
    [InlineData("formats_p4.pkl")]
    [InlineData("formats_py2.pkl")]
    public void ATruncatedFileIsOneLineNamingIt(string name)
    {
        var bytes = File.ReadAllBytes(Fixture(name));
        foreach (var keep in new[] { 1, 30, bytes.Length / 2, bytes.Length - 9 })
        {
            using var dir = new TempDir();
            var path = Path.Combine(dir.Path, name);
            File.WriteAllBytes(path, bytes[..keep]);
            var e = Record.Exception(() =>
            {
                using var file = WeightFile.Open(path);
                foreach (var entry in file.Entries) file.Read(entry.Name).Dispose();
            });
            Assert.NotNull(e);
            Assert.True(e is PickleException or WeightFileFormatException, $"{name} cut at {keep}: {e.GetType().Name}: {e.Message}");
            Assert.StartsWith(path + ": ", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
    }

    [Fact]
    public void AFileOfNoKnownFormatSaysWhatIsRead()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "weights.pth");
        File.WriteAllText(path, "not weights at all");
        var e = Assert.Throws<WeightFileFormatException>(() => WeightFile.Open(path));
        Assert.Equal($"{path}: not a weight file this tool reads (safetensors, PyTorch .pth/.pt in zip or legacy format, or a pickled .pkl of numpy arrays)", e.Message);
    }

    [Fact]
    public void APickleWithoutTensorsListsItsKeys()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "no_tensors.pkl");
        // {'iteration': 7, 'cfg': 'x'} in protocol 2
        File.WriteAllBytes(path, [0x80, 2, (byte)'}', (byte)'(', 0x8c, 9, .. "iteration"u8, (byte)'K', 7, 0x8c, 3, .. "cfg"u8, 0x8c, 1, (byte)'x', (byte)'u', (byte)'.']);
        var e = Assert.Throws<WeightFileFormatException>(() => WeightFile.Open(path));
        Assert.Equal($"{path}: holds no tensors at the top level or under 'model', 'state_dict', 'blobs'; its keys: iteration, cfg", e.Message);
    }

    [Theory]
    [InlineData("deep tuples", "tuples nest deeper than 256; no weight file does that")]
    [InlineData("huge length", "a pickled value claims 2147483647 bytes, more than the file has left (truncated or corrupt)")]
    [InlineData("unknown opcode", "unknown pickle opcode 0xff at byte 2")]
    [InlineData("extension registry", "the pickle uses the copyreg extension registry (EXT opcodes), which a weight file does not need; refused")]
    [InlineData("persistent id", "the pickle refers to external data (a persistent id) outside a torch.save file; refused")]
    public void HostilePicklesAreOneLineAndNeverCrash(string what, string reason)
    {
        byte[] body = what switch
        {
            "deep tuples" => [(byte)'N', .. Enumerable.Repeat((byte)0x85, 300), (byte)'.'],
            "huge length" => [0x8b, 0xff, 0xff, 0xff, 0x7f, 0, 0, (byte)'.'],
            "unknown opcode" => [0xff],
            "extension registry" => [0x82, 1, (byte)'.'],
            "persistent id" => [(byte)'N', (byte)'Q', (byte)'.'],
            _ => throw new ArgumentException(what),
        };
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "hostile.pkl");
        File.WriteAllBytes(path, [0x80, 2, .. body]);
        var e = Assert.Throws<PickleException>(() => WeightFile.Open(path));
        Assert.Equal($"{path}: {reason}", e.Message);
    }

    [Fact]
    public void ATensorRepeatingItsStorageBeyondReasonIsRefused()
    {
        var path = "expand.pth";
        // A window of 2^32 elements on a 1-element storage (stride 0), then a shape whose size overflows.
        var storage = new TorchStorage("0", TorchSharp.torch.ScalarType.Float32, 4, 1);
        var root = new PyDict();
        root.Set("x", new TorchTensorRef(storage, 0, [65536, 65536], [0, 0]));
        var e = Assert.Throws<WeightFileFormatException>(() => new PickledWeightFile(path, "test", root, _ => throw new InvalidOperationException(), null));
        Assert.Equal($"{path}: tensor 'x' [65536, 65536] repeats a storage of 1 elements 4294967296 times over", e.Message);
        root.Set("x", new TorchTensorRef(storage, 0, [long.MaxValue, 3], [1, 1]));
        e = Assert.Throws<WeightFileFormatException>(() => new PickledWeightFile(path, "test", root, _ => throw new InvalidOperationException(), null));
        Assert.Equal($"{path}: tensor 'x' has a shape or strides too large to address", e.Message);
    }
}
