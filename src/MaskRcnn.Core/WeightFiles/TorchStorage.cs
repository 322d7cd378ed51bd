using static TorchSharp.torch;

namespace MaskRcnn.WeightFiles;

/// <summary>
/// A storage a torch.save file refers to by key (its persistent id): the element type, how many elements, and for
/// legacy files' storage views, where the view starts in its root storage.
/// </summary>
sealed record TorchStorage(string Key, ScalarType Type, int ElementSize, long Numel, long ElementOffset = 0);

/// <summary>A tensor as <c>torch._utils._rebuild_tensor_v2</c> describes it: a strided window on a storage.</summary>
sealed record TorchTensorRef(TorchStorage Storage, long Offset, long[] Shape, long[] Stride);
