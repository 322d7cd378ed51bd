namespace MaskRcnn.Structures;

/// <summary>An image's size in pixels, height first as in tensors.</summary>
public readonly record struct ImageSize(int Height, int Width)
{
    public override string ToString() => $"{Width}x{Height}";
}
