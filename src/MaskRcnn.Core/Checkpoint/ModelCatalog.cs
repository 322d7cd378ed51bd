using MaskRcnn.Config;

namespace MaskRcnn.Checkpoint;

/// <summary>
/// maskrcnn-benchmark's <c>catalog://</c> weight names (its paths_catalog.py ModelCatalog): Detectron's ImageNet
/// backbones and trained COCO models. maskrcnn-benchmark downloads them; this tool downloads nothing, so each name
/// resolves to a file under <c>{dataDir}/models/</c> whose path mirrors the download URL's after
/// <see cref="BaseUrl"/>, and a missing file is an error saying what to download and where to put it.
/// <c>dataDir</c> is the datasets' folder (<c>DatasetCatalog.DataDir</c>: <c>$MASKRCNN_DATASETS</c>, default <c>datasets</c>).
/// </summary>
public static class ModelCatalog
{
    public const string Prefix = "catalog://";
    public const string BaseUrl = "https://dl.fbaipublicfiles.com/detectron";
    public const string ModelsFolder = "models";

    const string ImageNetPrefix = "ImageNetPretrained/", DetectronPrefix = "Caffe2Detectron/COCO/";

    /// <summary>The name prefixes the catalog knows (after <see cref="Prefix"/>).</summary>
    public static readonly IReadOnlyList<string> KnownPrefixes = [ImageNetPrefix, DetectronPrefix];

    static readonly CatalogWeightSettings Msra = CatalogWeightSettings.Caffe2(strideIn1x1: true), Fair = CatalogWeightSettings.Caffe2(strideIn1x1: false);

    // ImageNet backbones: name → the URL's path. The GroupNorm ones are filed under MSRA but were trained at FAIR
    // (Detectron's GN configs set STRIDE_1X1 False for them, as maskrcnn-benchmark's gn_baselines do).
    static readonly (string Name, string Path, CatalogWeightSettings Settings)[] ImageNet =
    [
        ("MSRA/R-50", "ImageNetPretrained/MSRA/R-50.pkl", Msra),
        ("MSRA/R-50-GN", "ImageNetPretrained/47261647/R-50-GN.pkl", Fair),
        ("MSRA/R-101", "ImageNetPretrained/MSRA/R-101.pkl", Msra),
        ("MSRA/R-101-GN", "ImageNetPretrained/47592356/R-101-GN.pkl", Fair),
        ("FAIR/20171220/X-101-32x8d", "ImageNetPretrained/20171220/X-101-32x8d.pkl", Fair),
    ];

    // Detectron's 12_2017 COCO baselines: "<model id>/<config name>" → the signature its output folder carries.
    // R-50/R-101 build on MSRA's backbones, X-101/X-152 on FAIR's.
    static readonly (string Name, string Signature, CatalogWeightSettings Settings)[] Detectron =
    [
        ("35857197/e2e_faster_rcnn_R-50-C4_1x", "01_33_49.iAX0mXvW", Msra),
        ("35857345/e2e_faster_rcnn_R-50-FPN_1x", "01_36_30.cUF7QR7I", Msra),
        ("35857890/e2e_faster_rcnn_R-101-FPN_1x", "01_38_50.sNxI7sX7", Msra),
        ("36761737/e2e_faster_rcnn_X-101-32x8d-FPN_1x", "06_31_39.5MIHi1fZ", Fair),
        ("35858791/e2e_mask_rcnn_R-50-C4_1x", "01_45_57.ZgkA7hPB", Msra),
        ("35858933/e2e_mask_rcnn_R-50-FPN_1x", "01_48_14.DzEQe4wC", Msra),
        ("35861795/e2e_mask_rcnn_R-101-FPN_1x", "02_31_37.KqyEK4tT", Msra),
        ("36761843/e2e_mask_rcnn_X-101-32x8d-FPN_1x", "06_35_59.RZotkLKI", Fair),
        ("37129812/e2e_mask_rcnn_X-152-32x8d-FPN-IN5k_1.44x", "09_35_36.8pzTQKYK", Fair),
        ("37697547/e2e_keypoint_rcnn_R-50-FPN_1x", "08_42_54.kdzV35ao", Msra),
    ];

    /// <summary>torchvision's ImageNet classification weights (the files its model builders download), for R-18/34/50/101/152-FPN,
    /// X-101-32x8d and VGG-16 bodies.</summary>
    const string TorchvisionUrl = "https://download.pytorch.org/models";

    static readonly (string Name, string File)[] Torchvision =
    [
        ("resnet18", "resnet18-f37072fd.pth"),
        ("resnet34", "resnet34-b627a593.pth"),
        ("resnet50", "resnet50-0676ba61.pth"),
        ("resnet101", "resnet101-63fe2227.pth"),
        ("resnet152", "resnet152-394f9c45.pth"),
        ("resnext101_32x8d", "resnext101_32x8d-8ba56ff5.pth"),
        ("vgg16", "vgg16-397923af.pth"),
    ];

    /// <summary>Every catalog entry, ImageNet backbones first.</summary>
    public static readonly IReadOnlyList<CatalogEntry> Entries =
    [
        .. ImageNet.Select(e => new CatalogEntry(Prefix + ImageNetPrefix + e.Name, e.Path, e.Settings)),
        .. Torchvision.Select(e => new CatalogEntry($"{Prefix}{ImageNetPrefix}torchvision/{e.Name}", e.File, CatalogWeightSettings.Torchvision,
            TorchvisionUrl, "torchvision")),
        .. Detectron.Select(e => new CatalogEntry(Prefix + DetectronPrefix + e.Name, DetectronPath(e.Name, e.Signature), e.Settings)),
    ];

    // Detectron stored a run under <id>/12_2017_baselines/<config>.yaml.<signature>/ and its final weights below that,
    // in a folder named after the training sets (keypoint models trained on the keypoints_ variants). The URL's
    // %3A (':') stays as written: it is in the URL, and ':' cannot be in a Windows file name.
    static string DetectronPath(string name, string signature)
    {
        var (id, config) = (name[..name.IndexOf('/')], name[(name.IndexOf('/') + 1)..]);
        var tag = config.Contains("keypoint", StringComparison.Ordinal) ? "keypoints_" : "";
        return $"{id}/12_2017_baselines/{config}.yaml.{signature}/output/train/{tag}coco_2014_train%3A{tag}coco_2014_valminusminival/generalized_rcnn/model_final.pkl";
    }

    public static bool IsCatalogName(string weight) => weight.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The entry of a <c>catalog://</c> name; an unknown name is a one-line <see cref="ConfigException"/> listing what is known.</summary>
    public static CatalogEntry Get(string weight)
    {
        if (!IsCatalogName(weight)) throw new ArgumentException($"not a {Prefix} name: {weight}");
        if (Entries.FirstOrDefault(e => e.Name == weight) is { } entry) return entry;
        var name = weight[Prefix.Length..];
        if (KnownPrefixes.FirstOrDefault(p => name.StartsWith(p, StringComparison.Ordinal)) is { } prefix)
            throw new ConfigException($"{weight}: not in the model catalog; it knows {string.Join(", ", Entries.Where(e => e.Name.StartsWith(Prefix + prefix, StringComparison.Ordinal)).Select(e => e.Name))}");
        throw new ConfigException($"{weight}: not in the model catalog; its names start with {string.Join(" or ", KnownPrefixes.Select(p => Prefix + p))}");
    }

    /// <summary>
    /// The local file of a <c>catalog://</c> name under <paramref name="dataDir"/>; when it is not there, a one-line
    /// <see cref="ConfigException"/> with the URL to download and the full path to put it at.
    /// </summary>
    public static string Resolve(string weight, string dataDir)
    {
        var entry = Get(weight);
        var path = entry.PathUnder(dataDir);
        if (!File.Exists(path))
            throw new ConfigException($"{weight}: not downloaded (this tool downloads nothing); download {entry.Url} to {Path.GetFullPath(path)}");
        return path;
    }
}
