using System.Runtime.InteropServices;

namespace MaskRcnn.Layers;

/// <summary>The sampling grid of one RoI: where it reads, and how many samples each output bin averages.</summary>
[StructLayout(LayoutKind.Sequential)]
readonly record struct RoiGrid(int Level, int Batch, int GridHeight, int GridWidth, int YStart, int XStart)
{
    public bool IsEmpty => GridHeight <= 0 || GridWidth <= 0;

    /// <summary>The divisor of the bin average, as torchvision's forward: never below 1.</summary>
    public float Count => Math.Max((long)GridHeight * GridWidth, 1);
}
