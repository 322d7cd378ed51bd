namespace MaskRcnn.Structures.Masks;

/// <summary>Checks shared by the mask kinds' crops and resizes.</summary>
static class MaskGeometry
{
    public static void CheckCrop(int left, int top, int right, int bottom)
    {
        if (right <= left || bottom <= top)
            throw new ArgumentException($"crop box ({left}, {top}, {right}, {bottom}) is empty");
    }

    public static void CheckSize(int height, int width, string what)
    {
        if (height <= 0 || width <= 0) throw new ArgumentException($"{what} {height}x{width} is not a positive size");
    }
}
