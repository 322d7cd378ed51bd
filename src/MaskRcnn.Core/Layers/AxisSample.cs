using System.Runtime.InteropServices;

namespace MaskRcnn.Layers;

/// <summary>
/// A bilinear sample position along one axis of a feature map: the two neighbouring rows (or columns), already
/// multiplied by the axis stride, and their weights. <see cref="Low"/> &lt; 0 marks a sample outside the map,
/// which contributes nothing.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
readonly record struct AxisSample(int Low, int High, float LowWeight, float HighWeight)
{
    public static readonly AxisSample Outside = new(-1, -1, 0f, 0f);

    public bool IsInside => Low >= 0;

    /// <summary>
    /// torchvision's rule: coordinates below −1 or above <paramref name="size"/> are outside; coordinates ≤ 0 read
    /// index 0; from size−1 on, both neighbours are the last index. Written as !(in range) so NaN is outside.
    /// </summary>
    public static AxisSample At(float coord, int size, int stride)
    {
        if (!(coord >= -1f && coord <= size)) return Outside;
        if (coord <= 0) coord = 0;
        int low = (int)coord, high;
        if (low >= size - 1)
        {
            high = low = size - 1;
            coord = low;
        }
        else high = low + 1;
        float highWeight = coord - low;
        return new(low * stride, high * stride, 1f - highWeight, highWeight);
    }
}
