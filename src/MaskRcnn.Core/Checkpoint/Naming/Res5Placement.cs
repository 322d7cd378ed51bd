namespace MaskRcnn.Checkpoint.Naming;

/// <summary>
/// Where our models keep a ResNet's last stage (res5, <c>layer4</c>): in the backbone's body for FPN and C5 models, in
/// the box head for C4 models (maskrcnn-benchmark's ResNet50Conv5ROIFeatureExtractor runs it on each RoI). A file of
/// backbone weights does not say which model it is for; maskrcnn-benchmark's suffix matching finds the place from
/// the model, and a scheme mapping such names takes it as a parameter instead.
/// </summary>
public static class Res5Placement
{
    public const string BodyPrefix = "backbone.body.";
    public const string BoxHeadPrefix = "roi_heads.box.feature_extractor.head.";

    const string Res5 = "layer4.";

    /// <summary>Whether a model (our names) runs res5 in its box head, as C4 models do.</summary>
    public static bool InBoxHead(IEnumerable<string> ourModelNames) =>
        ourModelNames.Any(n => n.StartsWith(BoxHeadPrefix + Res5, StringComparison.Ordinal));

    /// <summary>Our full name for a name relative to the ResNet body (<c>stem.*</c>, <c>layerN.*</c>).</summary>
    public static string Place(string inBody, bool res5InBoxHead) =>
        (res5InBoxHead && inBody.StartsWith(Res5, StringComparison.Ordinal) ? BoxHeadPrefix : BodyPrefix) + inBody;
}
