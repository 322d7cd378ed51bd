namespace MaskRcnn.Checkpoint;

/// <summary>One <c>catalog://</c> weight file: its name, its path relative to <paramref name="BaseUrl"/> (the URL's, with
/// '/'), the settings it was trained with, and the folder under <c>models/</c> its path goes in (<paramref name="LocalFolder"/>,
/// empty for Detectron's files, whose URL paths are already distinct).</summary>
public sealed record CatalogEntry(string Name, string UrlPath, CatalogWeightSettings Settings, string BaseUrl = ModelCatalog.BaseUrl, string LocalFolder = "")
{
    public string Url => $"{BaseUrl}/{UrlPath}";

    /// <summary>Where the file goes: <c>{dataDir}/models/</c>, the local folder, and the URL's path.</summary>
    public string PathUnder(string dataDir) =>
        Path.Combine([dataDir, ModelCatalog.ModelsFolder, .. LocalFolder.Split('/', StringSplitOptions.RemoveEmptyEntries), .. UrlPath.Split('/')]);
}
