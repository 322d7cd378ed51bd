namespace MaskRcnn.SafeTensors;

/// <summary>A safetensors file that cannot be read or written; the message is one line naming the file (and tensor).</summary>
public sealed class SafeTensorsException(string path, string reason) : Exception($"{path}: {reason}")
{
    public string FilePath { get; } = path;
}
