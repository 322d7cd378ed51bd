using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Structures;

/// <summary>
/// A batch of differently sized images as one tensor [B,C,H,W], zero-padded at the bottom and right to the
/// largest height and width rounded up to a multiple of <c>DATALOADER.SIZE_DIVISIBILITY</c>, with each
/// image's own size kept for clipping boxes and undoing the resize.
/// </summary>
public sealed class ImageList(Tensor tensor, IReadOnlyList<ImageSize> sizes)
{
    public Tensor Tensor { get; } = tensor.dim() == 4 && tensor.shape[0] == sizes.Count ? tensor
        : throw new ArgumentException($"image batch [{string.Join(",", tensor.shape)}] does not hold {sizes.Count} images");
    public IReadOnlyList<ImageSize> Sizes { get; } = sizes;
    public int Count => Sizes.Count;

    /// <summary>Pads [C,H,W] images into one batch.</summary>
    public static ImageList FromImages(IReadOnlyList<Tensor> images, int sizeDivisibility = 0)
    {
        if (images.Count == 0) throw new ArgumentException("an image batch needs at least one image");
        foreach (var image in images)
            if (image.dim() != 3 || image.shape[0] != images[0].shape[0])
                throw new ArgumentException($"images must be [C,H,W] with the same C, got [{string.Join(",", image.shape)}]");
        long height = images.Max(i => i.shape[1]), width = images.Max(i => i.shape[2]);
        if (sizeDivisibility > 0)
        {
            height = (height + sizeDivisibility - 1) / sizeDivisibility * sizeDivisibility;
            width = (width + sizeDivisibility - 1) / sizeDivisibility * sizeDivisibility;
        }
        var first = images[0];
        var batch = torch.zeros([images.Count, first.shape[0], height, width], first.dtype, first.device);
        for (int i = 0; i < images.Count; i++)
        {
            var image = images[i];
            batch[i, .., ..(int)image.shape[1], ..(int)image.shape[2]] = image;
        }
        return new ImageList(batch, images.Select(i => new ImageSize((int)i.shape[1], (int)i.shape[2])).ToList());
    }

    public ImageList To(Device device) => new(Tensor.to(device), Sizes);
}
