using System.Text.RegularExpressions;

namespace MaskRcnn.Checkpoint;

/// <summary>
/// Files that hold only a backbone body — ImageNet classification weights (torchvision's resnet50.pth, vgg16.pth,
/// Detectron's R-50.pkl): every name they map to is under <c>backbone.body.</c>. Such a file initialises the body and
/// leaves everything else (FPN, RPN, heads) as the model initialised it, as maskrcnn-benchmark does with its
/// <c>catalog://ImageNetPretrained</c> weights. A C4 model keeps ResNet's last stage in its RoI heads
/// (<c>roi_heads.box.feature_extractor.head.layer4</c>, and the mask head's when it has its own); the file's
/// <c>layer4</c> goes there, where maskrcnn-benchmark's suffix matching puts it.
/// </summary>
public static partial class BackboneWeights
{
    public const string BodyPrefix = "backbone.body.";

    /// <summary>Whether every offered name (ours) is a body name, and there is at least one.</summary>
    public static bool IsBodyOnly(IReadOnlyCollection<string> offered) =>
        offered.Count > 0 && offered.All(n => n.StartsWith(BodyPrefix, StringComparison.Ordinal));

    /// <summary>For each model name a body-only file can fill, the offered name that fills it.</summary>
    public static Dictionary<string, string> Place(IEnumerable<string> modelNames, IReadOnlyCollection<string> offered)
    {
        var available = offered.ToHashSet(StringComparer.Ordinal);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in modelNames)
        {
            if (available.Contains(name)) result[name] = name;
            else if (HeadStage().Match(name) is { Success: true } m && available.Contains(BodyPrefix + m.Groups["rest"].Value))
                result[name] = BodyPrefix + m.Groups["rest"].Value;
        }
        return result;
    }

    /// <summary>Whether a body-only file must fill a model name: the body's, and a C4 head's ResNet stage.</summary>
    public static bool Placed(string modelName) =>
        modelName.StartsWith(BodyPrefix, StringComparison.Ordinal) || HeadStage().IsMatch(modelName);

    [GeneratedRegex(@"^roi_heads\.\w+\.feature_extractor\.head\.(?<rest>layer\d\..+)$", RegexOptions.CultureInvariant)]
    private static partial Regex HeadStage();
}
