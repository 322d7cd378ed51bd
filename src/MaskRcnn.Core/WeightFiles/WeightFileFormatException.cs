namespace MaskRcnn.WeightFiles;

/// <summary>A weight file whose format cannot be read; one line naming the file and what is wrong.</summary>
public sealed class WeightFileFormatException(string path, string reason) : Exception($"{path}: {reason}")
{
    public string FilePath { get; } = path;
}
