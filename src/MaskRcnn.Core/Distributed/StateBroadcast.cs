using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Distributed;

/// <summary>
/// DistributedDataParallel's start: every rank takes rank 0's parameters and buffers (the model's whole state dict,
/// byte for byte), so that ranks that built or loaded the model on their own start from the same weights.
/// </summary>
public static class StateBroadcast
{
    public static void FromRoot(nn.Module module, IProcessGroup group)
    {
        if (group.Size == 1) return;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (var (_, tensor) in module.state_dict().OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (tensor.numel() == 0) continue;
            var cpu = tensor.to(torch.CPU).contiguous().clone();
            group.Broadcast(cpu.bytes);
            tensor.copy_(cpu);
        }
    }
}
