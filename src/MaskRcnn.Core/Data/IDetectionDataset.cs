using MaskRcnn.Data.Coco;

namespace MaskRcnn.Data;

/// <summary>What the training loader needs of a dataset: indexed images with their targets and sizes, and the
/// contiguous label space (index 0 is background).</summary>
public interface IDetectionDataset
{
    string Name { get; }
    int Count { get; }
    int NumClasses { get; }
    IReadOnlyList<long> CategoryOfLabel { get; }

    /// <summary>The name of each label (index 0 is background), or null when the label has no one name (datasets
    /// concatenated that name a category differently).</summary>
    IReadOnlyList<string>? ClassNames { get; }
    long ImageIdAt(int index);
    CocoImage ImageAt(int index);

    /// <summary>Decodes image <paramref name="index"/> and builds its target; a missing, corrupt or too large image (over
    /// <paramref name="maxImagePixels"/>) is an <see cref="ImageDecodeException"/>, a size that disagrees with the
    /// annotations a <see cref="DataException"/>.</summary>
    DetectionSample Load(int index, int maxImagePixels);
}
