using System.Runtime.InteropServices;
using MaskRcnn.Native;
using TorchSharp;

namespace MaskRcnn.Tests.Native;

public class TorchNativeLoaderTests
{
    static string Original => TorchNativeLoader.FindOriginal() ?? throw new InvalidOperationException("libLibTorchSharp.so not found in the test output");

    [Fact]
    public void TorchSharpWorksInThisProcess()
    {
        using var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        using var p = a.matmul(a.t());
        Assert.Equal(new float[] { 5, 14, 14, 50 }, p.data<float>().ToArray());
    }

    [Fact]
    public void LibTorchLogsOnlyErrorsUnlessTheUserAsksForMore()
    {
        // Set by EnsureLoaded (the test module initializer ran it) before any convolution could log.
        int expected = TorchLogLevel.Parse(Environment.GetEnvironmentVariable(TorchLogLevel.Variable)) ?? TorchLogLevel.Error;
        Assert.Equal(expected, TorchLogLevel.Current(Path.GetDirectoryName(Original)!));
        // A convolution over 16 images is where LibTorch would try NNPACK and warn on VMs without its CPU features.
        using var x = torch.ones(16, 3, 8, 8);
        using var w = torch.ones(4, 3, 3, 3);
        using var y = torch.nn.functional.conv2d(x, w);
        Assert.Equal(27f, y[0, 0, 0, 0].item<float>());
        Assert.Equal(expected, TorchLogLevel.Current(Path.GetDirectoryName(Original)!));
    }

    [Theory]
    [InlineData("INFO", 0)]
    [InlineData("warning", 1)]
    [InlineData(" ERROR ", 2)]
    [InlineData("3", 3)]
    [InlineData("loud", null)]
    [InlineData(null, null)]
    public void LogLevelNamesAreThoseOfPyTorch(string? value, int? level) => Assert.Equal(level, TorchLogLevel.Parse(value));

    [Fact]
    public void TheNoteAboutThePatchedCopyIsSaidOncePerMachine()
    {
        using var cache = new TempDir();
        var root = Path.Combine(cache.Path, "maskrcnn");
        Assert.True(TorchNativeLoader.FirstTimeOnThisMachine(root));
        Assert.False(TorchNativeLoader.FirstTimeOnThisMachine(root));
        Assert.False(TorchNativeLoader.FirstTimeOnThisMachine(root));
    }

    [Fact]
    public void PatchIsUsedExactlyWhenTheOriginalCannotLoad()
    {
        bool originalLoads = NativeLibrary.TryLoad(Original, out _);
        if (originalLoads)
            Assert.Null(TorchNativeLoader.PatchedLibraryPath);
        else
        {
            var patched = Assert.IsType<string>(TorchNativeLoader.PatchedLibraryPath);
            Assert.True(File.Exists(patched));
            Assert.Equal(Path.GetDirectoryName(Original), Path.GetDirectoryName(patched)); // same $ORIGIN as the original (the folder is writable here)
        }
    }

    [Fact]
    public void TheLibraryNeedsGlibcxx3432OnlyForTheIostreamAnchor()
    {
        var needs = ElfVersionNeeds.Read(File.ReadAllBytes(Original), Original);
        var need = Assert.Single(needs, n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", need.File);
        Assert.Equal(["_ZSt21ios_base_library_initv"], need.Symbols);
        Assert.False(need.IsWeak);
        Assert.Contains(needs, n => n.Version == "GLIBC_2.2.5" && n.File == "libc.so.6");
    }

    [Fact]
    public void PatchSetsTheWeakFlagOnThatOneEntryAndChangesNothingElse()
    {
        var original = File.ReadAllBytes(Original);
        var patched = TorchNativeLoader.Patch(original, new HashSet<string> { "GLIBCXX_3.4.32" }, Original);
        Assert.Equal(original.Length, patched.Length);
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        var need = ElfVersionNeeds.Read(original, Original).Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal([(int)need.FlagsOffset], changed); // vna_flags is little-endian: only its low byte moves
        Assert.Equal(VersionNeed.WeakFlag, patched[need.FlagsOffset]);

        var after = ElfVersionNeeds.Read(patched, "patched");
        Assert.True(after.Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
        Assert.All(after.Where(n => n.Version != "GLIBCXX_3.4.32"), n => Assert.False(n.IsWeak));
    }

    [Fact]
    public void RefusesToWeakenVersionsThatRealCodeCalls()
    {
        var original = File.ReadAllBytes(Original);
        var e = Assert.Throws<InvalidOperationException>(() => TorchNativeLoader.Patch(original, new HashSet<string> { "GLIBCXX_3.4.30" }, "lib.so"));
        Assert.Contains("needs GLIBCXX_3.4.30 from libstdc++.so.6", e.Message);
        Assert.Throws<InvalidOperationException>(() => TorchNativeLoader.Patch(original, new HashSet<string> { "GLIBCXX_9.9" }, "lib.so"));
    }

    [Fact]
    public void ReadsTheMissingVersionsFromTheLoaderMessage()
    {
        var message = "/x/libLibTorchSharp.so: /lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by /x/libLibTorchSharp.so)";
        Assert.Equal(["GLIBCXX_3.4.32"], TorchNativeLoader.ParseMissingVersions(message));
        Assert.Empty(TorchNativeLoader.ParseMissingVersions("libfoo.so: cannot open shared object file"));
    }

    [Fact]
    public void RejectsFilesThatAreNotElf64()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read("not an elf file at all, just text........................................"u8, "x.txt"));
    }
}
