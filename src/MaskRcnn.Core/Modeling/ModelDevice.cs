using MaskRcnn.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling;

/// <summary><c>MODEL.DEVICE</c> as a TorchSharp device, with a clear error when CUDA is asked for but absent.</summary>
public static class ModelDevice
{
    public static Device Resolve(string device)
    {
        if (device.StartsWith("cuda") && !torch.cuda.is_available())
            throw new ConfigException($"MODEL.DEVICE is {device} but CUDA is not available here (CPU build of TorchSharp, or no GPU); set MODEL.DEVICE cpu");
        return torch.device(device);
    }
}
