namespace MaskRcnn.Pickle;

/// <summary>A pickle that cannot be read, or asks for something a data file has no business asking for; one line naming the file.</summary>
public sealed class PickleException(string path, string reason) : Exception($"{path}: {reason}")
{
    public string FilePath { get; } = path;
}
