using MaskRcnn.Structures;

namespace MaskRcnn.Data.Loading;

/// <summary>A collated batch: padded images, one target per image, and where the images came from: dataset indices and
/// positions in the iteration's whole batch (which, split over processes, is more than this one).</summary>
public sealed class DetectionBatch(int iteration, ImageList images, IReadOnlyList<BoxList> targets, IReadOnlyList<long> imageIds, IReadOnlyList<int> indices,
    IReadOnlyList<int> positions) : IDisposable
{
    public int Iteration { get; } = iteration;
    public ImageList Images { get; } = images;
    public IReadOnlyList<BoxList> Targets { get; } = targets;
    public IReadOnlyList<long> ImageIds { get; } = imageIds;
    public IReadOnlyList<int> DatasetIndices { get; } = indices;
    public IReadOnlyList<int> Positions { get; } = positions;

    /// <summary>Frees the batch's tensors now (they were made on a loader thread, outside the caller's dispose scopes).</summary>
    public void Dispose()
    {
        Images.Tensor.Dispose();
        foreach (var t in Targets)
            foreach (var tensor in t.Tensors()) tensor.Dispose();
    }
}
