using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Structures.Masks;

/// <summary>Whole-buffer moves between managed mask bytes and tensors (never element by element through TorchSharp).</summary>
static class MaskTensors
{
    public static void CheckMaskDtype(ScalarType dtype)
    {
        if (dtype is not (ScalarType.Bool or ScalarType.Byte))
            throw new ArgumentException($"mask tensors are Bool or Byte, not {dtype}", nameof(dtype));
    }

    /// <summary>0/1 bytes as a tensor of <paramref name="shape"/>, converted to <paramref name="dtype"/> and moved to <paramref name="device"/>.</summary>
    public static Tensor FromBytes(byte[] bytes, long[] shape, ScalarType dtype, Device? device)
    {
        using var scope = NewDisposeScope();
        var tensor = torch.tensor(bytes, shape, ScalarType.Byte);
        if (dtype != ScalarType.Byte) tensor = tensor.to(dtype);
        if (device is not null && device.type != DeviceType.CPU) tensor = tensor.to(device);
        return tensor.MoveToOuterDisposeScope();
    }

    /// <summary>Boxes [count, 4] (x0, y0, x1, y1) as float32 values, row by row.</summary>
    public static float[] ReadBoxes(Tensor boxes, int count)
    {
        if (boxes.ndim != 2 || boxes.shape[1] != 4 || boxes.shape[0] != count)
            throw new ArgumentException($"boxes are [{string.Join(", ", boxes.shape)}], expected [{count}, 4]", nameof(boxes));
        if (count == 0) return [];
        using var scope = NewDisposeScope();
        using var values = boxes.to(ScalarType.Float32).cpu().contiguous().data<float>();
        return values.ToArray();
    }
}
