using MaskRcnn.Config;
using YamlDotNet.RepresentationModel;

namespace MaskRcnn.Data;

/// <summary>Where a named dataset lives: a folder of images and a COCO-format annotation file.
/// <see cref="IsGenerated"/> marks the built-in shapes datasets, which are written on first use.</summary>
public sealed record DatasetEntry(string Name, string ImageDir, string AnnotationFile, bool IsGenerated = false);

/// <summary>
/// Maps dataset names (<c>DATASETS.TRAIN</c>/<c>DATASETS.TEST</c>) to files, as maskrcnn-benchmark's
/// <c>paths_catalog.py</c> does: the COCO names it knows, resolved under a data folder (default
/// <c>datasets/</c>, or <c>$MASKRCNN_DATASETS</c>), the generated <c>shapes_&lt;split&gt;</c> and <c>shapes_keypoints_&lt;split&gt;</c> sets, and a
/// user's own names from a catalog file (<c>PATHS_CATALOG</c>) — no recompiling.
/// </summary>
public sealed class DatasetCatalog
{
    public const string DataDirVariable = "MASKRCNN_DATASETS";
    public const string ShapesPrefix = "shapes_";

    static readonly Dictionary<string, (string ImageDir, string AnnotationFile)> BuiltIn = new()
    {
        ["coco_2017_train"] = ("coco/train2017", "coco/annotations/instances_train2017.json"),
        ["coco_2017_val"] = ("coco/val2017", "coco/annotations/instances_val2017.json"),
        ["coco_2014_train"] = ("coco/train2014", "coco/annotations/instances_train2014.json"),
        ["coco_2014_val"] = ("coco/val2014", "coco/annotations/instances_val2014.json"),
        ["coco_2014_minival"] = ("coco/val2014", "coco/annotations/instances_minival2014.json"),
        ["coco_2014_valminusminival"] = ("coco/val2014", "coco/annotations/instances_valminusminival2014.json"),
        ["keypoints_coco_2014_train"] = ("coco/train2014", "coco/annotations/person_keypoints_train2014.json"),
        ["keypoints_coco_2014_val"] = ("coco/val2014", "coco/annotations/person_keypoints_val2014.json"),
        ["keypoints_coco_2014_minival"] = ("coco/val2014", "coco/annotations/person_keypoints_minival2014.json"),
        ["keypoints_coco_2014_valminusminival"] = ("coco/val2014", "coco/annotations/person_keypoints_valminusminival2014.json"),
    };

    readonly Dictionary<string, (string ImageDir, string AnnotationFile)> user;

    DatasetCatalog(string dataDir, Dictionary<string, (string, string)> user)
    {
        DataDir = dataDir;
        this.user = user;
    }

    /// <summary>The folder built-in names resolve under.</summary>
    public string DataDir { get; }

    /// <param name="pathsCatalog">The <c>PATHS_CATALOG</c> file, or empty for none.</param>
    /// <param name="dataDir">Overrides <c>$MASKRCNN_DATASETS</c> and the default <c>datasets</c>.</param>
    public static DatasetCatalog Create(string pathsCatalog = "", string? dataDir = null)
    {
        var dir = dataDir ?? (Environment.GetEnvironmentVariable(DataDirVariable) is { Length: > 0 } env ? env : "datasets");
        var entries = new Dictionary<string, (string, string)>();
        if (!string.IsNullOrEmpty(pathsCatalog))
            dir = ReadUserCatalog(pathsCatalog, entries) ?? dir;
        return new DatasetCatalog(dir, entries);
    }

    public IEnumerable<string> Names => BuiltIn.Keys.Concat(user.Keys).Append("shapes_train").Append("shapes_val")
        .Append("shapes_keypoints_train").Append("shapes_keypoints_val").Distinct();

    public DatasetEntry Get(string name)
    {
        if (user.TryGetValue(name, out var own)) return new DatasetEntry(name, own.ImageDir, own.AnnotationFile);
        if (name.StartsWith(ShapesPrefix) && name.Length > ShapesPrefix.Length && name[ShapesPrefix.Length..].All(c => char.IsLetterOrDigit(c) || c is '_' or '-'))
        {
            var root = Path.Combine(DataDir, "shapes", name[ShapesPrefix.Length..]);
            return new DatasetEntry(name, Path.Combine(root, "images"), Path.Combine(root, "annotations.json"), IsGenerated: true);
        }
        if (BuiltIn.TryGetValue(name, out var known))
            return new DatasetEntry(name, Path.Combine(DataDir, known.ImageDir), Path.Combine(DataDir, known.AnnotationFile));
        throw new ConfigException($"unknown dataset '{name}'{DidYouMean.Hint(name, Names)}; known: {string.Join(", ", Names)}, shapes_<split>, " +
                                  "or names from a PATHS_CATALOG file");
    }

    /// <summary>Reads <c>DATA_DIR</c> (optional) and <c>DATASETS: {name: {img_dir, ann_file}}</c>; relative paths are
    /// relative to the catalog file. Returns the data folder it names, if any.</summary>
    static string? ReadUserCatalog(string path, Dictionary<string, (string, string)> entries)
    {
        if (!File.Exists(path)) throw new ConfigException($"PATHS_CATALOG file not found: {path}");
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var stream = new YamlStream();
        try { stream.Load(new StringReader(File.ReadAllText(path))); } // JSON is YAML too
        catch (YamlDotNet.Core.YamlException e) { throw new ConfigException($"{path}: invalid catalog at line {e.Start.Line}: {e.Message}"); }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ConfigException($"{path}: a catalog is a mapping with DATASETS (and optionally DATA_DIR)");
        string? dataDir = null;
        foreach (var (k, v) in root.Children)
        {
            switch ((k as YamlScalarNode)?.Value)
            {
                case "DATA_DIR" when v is YamlScalarNode { Value: { } d }:
                    dataDir = Path.Combine(baseDir, d);
                    break;
                case "DATASETS" when v is YamlMappingNode datasets:
                    foreach (var (nameNode, spec) in datasets.Children)
                    {
                        var name = (nameNode as YamlScalarNode)?.Value ?? throw new ConfigException($"{path}: dataset names must be strings");
                        string Field(string key) => spec is YamlMappingNode m && m.Children.TryGetValue(new YamlScalarNode(key), out var f) && f is YamlScalarNode { Value: { Length: > 0 } s }
                            ? Path.Combine(baseDir, s)
                            : throw new ConfigException($"{path}: dataset '{name}' needs {key}");
                        entries[name] = (Field("img_dir"), Field("ann_file"));
                    }
                    break;
                default:
                    throw new ConfigException($"{path}: unknown catalog key '{(k as YamlScalarNode)?.Value}' (expected DATA_DIR, DATASETS)");
            }
        }
        return dataDir;
    }
}
