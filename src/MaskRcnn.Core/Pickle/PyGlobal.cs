namespace MaskRcnn.Pickle;

/// <summary>A class or function a pickle names (GLOBAL): only ever a name here, never something that runs.</summary>
public sealed record PyGlobal(string Module, string Name)
{
    public override string ToString() => $"{Module}.{Name}";
}
