using MaskRcnn.Structures;
using static TorchSharp.torch;

namespace MaskRcnn.Data;

/// <summary>One image of a dataset and its training target: boxes (xyxy), "labels" (contiguous 1..K) and "masks".</summary>
public sealed record DetectionSample(int Index, long ImageId, Tensor Image, BoxList Target);
