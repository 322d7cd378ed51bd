using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;

namespace MaskRcnn.Data.Coco;

/// <summary>
/// One detection in COCO's results format: the image and (original) category it belongs to, its box as
/// x, y, width, height in original image pixels, its score, optionally its mask as run-lengths, and optionally its
/// keypoints as x, y, v per keypoint (what maskrcnn-benchmark's keypoints.json holds; pycocotools reads only x and y
/// of a result), and, for predictions, each keypoint's score (the heatmap logit, <see cref="KeypointScores"/>), which
/// results files leave out.
/// </summary>
public readonly record struct CocoResult(long ImageId, long CategoryId, CocoBox Bbox, double Score, Rle? Segmentation = null, double[]? Keypoints = null,
    double[]? KeypointScores = null);
