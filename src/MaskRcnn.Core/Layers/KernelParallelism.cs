using TorchSharp;

namespace MaskRcnn.Layers;

/// <summary>C# kernels use as many threads as LibTorch is allowed (torch.set_num_threads), no more.</summary>
static class KernelParallelism
{
    public static ParallelOptions Options() => new() { MaxDegreeOfParallelism = Math.Max(1, torch.get_num_threads()) };
}
