using Microsoft.Win32.SafeHandles;

namespace MaskRcnn.IO;

/// <summary>Positioned reads that fill a whole buffer (RandomAccess may return less than asked), in pieces a span can hold.</summary>
public static class FileReads
{
    const int MaxPiece = 1 << 30;

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>; false when the file ends first.</summary>
    public static bool TryReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        for (int done = 0; done < buffer.Length;)
        {
            var read = RandomAccess.Read(handle, buffer[done..], offset + done);
            if (read == 0) return false;
            done += read;
        }
        return true;
    }

    /// <summary>Fills <paramref name="length"/> bytes at <paramref name="address"/> from <paramref name="offset"/>; false when the file ends first.</summary>
    public static unsafe bool TryReadExactly(SafeFileHandle handle, byte* address, long length, long offset)
    {
        for (long done = 0; done < length; done += MaxPiece)
            if (!TryReadExactly(handle, new Span<byte>(address + done, (int)Math.Min(MaxPiece, length - done)), offset + done)) return false;
        return true;
    }
}
