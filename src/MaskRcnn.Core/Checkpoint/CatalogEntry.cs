namespace MaskRcnn.Checkpoint;

/// <summary>One <c>catalog://</c> weight file: its name, its path relative to <see cref="ModelCatalog.BaseUrl"/> (the
/// URL's, with '/'), and the settings it was trained with.</summary>
public sealed record CatalogEntry(string Name, string UrlPath, CatalogWeightSettings Settings)
{
    public string Url => $"{ModelCatalog.BaseUrl}/{UrlPath}";

    /// <summary>Where the file goes: <c>{dataDir}/models/</c> and the URL's path.</summary>
    public string PathUnder(string dataDir) => Path.Combine([dataDir, ModelCatalog.ModelsFolder, .. UrlPath.Split('/')]);
}
