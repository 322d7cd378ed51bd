using MaskRcnn.IO;
namespace MaskRcnn.Tests.IO;

public class AtomicFileTests
{
    [Fact]
    public void StaleTemporariesOfDeadWritersAreRemovedAndNothingElse()
    {
        using var dir = new TempDir();
        var dead = dir.File($".model_0000004.safetensors.{int.MaxValue}.{Guid.NewGuid():N}.tmp", "torn");
        var live = dir.File($".last_checkpoint.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp", "being written");
        var users = new[]
        {
            dir.File(".notes.tmp", "not ours"),
            dir.File($"model.{int.MaxValue}.{Guid.NewGuid():N}.tmp", "no leading dot"),
            dir.File($".x.{int.MaxValue}.not-a-guid.tmp", "no guid"),
            dir.File($"sub/.model_0000002.safetensors.{int.MaxValue}.{Guid.NewGuid():N}.tmp", "another folder"),
            dir.File("model_0000004.safetensors", "a checkpoint"),
        };
        Assert.Equal([Path.GetFileName(dead)], AtomicFile.RemoveStaleTemporaries(dir.Path));
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(live));
        Assert.All(users, f => Assert.True(File.Exists(f), f));
    }

    [Fact]
    public void ATemporaryLeftByAKilledWriteHasTheNameTheCleanupLooksFor()
    {
        using var dir = new TempDir();
        var target = Path.Combine(dir.Path, "model_0000002.safetensors");
        string? temp = null;
        // A write that never finishes: the process dies here, with the temporary on disk.
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(target, stream =>
        {
            temp = Directory.GetFiles(dir.Path, ".*.tmp").Single();
            throw new InvalidOperationException("killed");
        }));
        Assert.NotNull(temp);
        Assert.False(File.Exists(temp)); // removed by the failed write itself; a killed process would have left it, as here:
        File.WriteAllText(temp.Replace($".{Environment.ProcessId}.", $".{int.MaxValue}."), "torn");
        Assert.Single(AtomicFile.RemoveStaleTemporaries(dir.Path));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void ARealFullDeviceIsRecognised()
    {
        if (!File.Exists("/dev/full")) return; // Linux's always-full device; nothing like it elsewhere
        var e = Assert.ThrowsAny<IOException>(() =>
        {
            using var full = new FileStream("/dev/full", FileMode.Open, FileAccess.Write);
            full.Write(new byte[4096]);
            full.Flush();
        });
        Assert.True(NoSpaceLeftException.IsNoSpace(e), $"{e.HResult}: {e.Message}");
        Assert.True(NoSpaceLeftException.IsNoSpace(FullDiskStream.NoSpace())); // the injected failure is the real one's twin
        Assert.False(NoSpaceLeftException.IsNoSpace(new IOException("other")));
    }
}
