using MaskRcnn.Layers;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Postprocessing;

/// <summary>Maps detections from the resized network input back to the original image: boxes rescaled, mask
/// probabilities pasted into the full image at their boxes (one-pixel padding, as torchvision and
/// maskrcnn-benchmark's Masker) and thresholded. Masks become the "masks" field as [N,H,W] booleans.</summary>
public sealed class DetectionsToImage(double maskThreshold = 0.5)
{
    readonly MaskPaster paster = new(padding: 1);

    public BoxList Apply(BoxList detections, ImageSize original)
    {
        var resized = detections.Resize(original);
        if (!resized.Has(BoxFields.MaskProbabilities)) return resized;
        using var _ = torch.no_grad();
        var pasted = paster.Paste(resized.Field(BoxFields.MaskProbabilities), resized.Boxes, original.Height, original.Width);
        return resized.With(BoxFields.Masks, new BitMasks(pasted.squeeze(1) > maskThreshold));
    }
}
