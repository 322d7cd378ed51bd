using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Backbone;

/// <summary>Makes the normalization layer that follows a convolution with this many output channels.</summary>
public delegate nn.Module<Tensor, Tensor> NormLayerFactory(int channels);
