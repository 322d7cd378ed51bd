namespace MaskRcnn.Tests.IO;

/// <summary>A stream that fails as a full disk does once <c>bytesFree</c> bytes are written: the IOException .NET throws
/// for ENOSPC (Windows: ERROR_DISK_FULL).</summary>
public sealed class FullDiskStream(Stream inner, long bytesFree) : Stream
{
    long written;

    public static IOException NoSpace() =>
        new("No space left on device", OperatingSystem.IsWindows() ? unchecked((int)0x80070070) : 28);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (written + buffer.Length > bytesFree) throw NoSpace();
        inner.Write(buffer);
        written += buffer.Length;
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
