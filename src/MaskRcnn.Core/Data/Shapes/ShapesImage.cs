using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;

namespace MaskRcnn.Data.Shapes;

/// <summary>One drawn shape: its class, colour, outline and the part of it left visible by the shapes drawn over it.</summary>
public sealed record DrawnShape(ShapeKind Kind, (byte R, byte G, byte B) Color, double[] Polygon, Rle Full, Rle Visible)
{
    public bool IsOccluded => !Full.Equals(Visible);
}

/// <summary>A generated image: RGB pixels (row-major, 3 bytes a pixel) and its shapes in drawing order.</summary>
public sealed record ShapesImage(int Index, int Width, int Height, byte[] Rgb, IReadOnlyList<DrawnShape> Shapes);
