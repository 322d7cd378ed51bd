using MaskRcnn.Structures.Keypoints;

namespace MaskRcnn.Data.Shapes;

/// <summary>
/// COCO-style keypoints for a drawn shape, so the built-in dataset can train and evaluate Keypoint R-CNN: 17 points
/// at fixed places of the shape's box (COCO's person layout: the nose on the centre line, each left/right pair mirror
/// images of each other across it, so a horizontal flip that swaps them keeps them true). v = 2 where the point lies on
/// the shape's visible pixels, 1 where it is hidden or off the shape (labelled, not visible, as COCO marks it).
/// </summary>
public static class ShapeKeypoints
{
    // Offsets from the box centre in half-widths and half-heights: the nose, then the "left" member of each pair in
    // COCO's order (eyes, ears, shoulders, elbows, wrists, hips, knees, ankles); "right" is its mirror.
    static readonly (double Dx, double Dy)[] Nose = [(0, -0.25)];
    static readonly (double Dx, double Dy)[] Left =
        [(0.25, -0.5), (0.5, -0.5), (0.5, -0.1), (0.75, 0.1), (0.9, 0.3), (0.3, 0.3), (0.35, 0.6), (0.4, 0.9)];

    /// <summary>x, y, v for each of the 17 keypoints, in COCO's order.</summary>
    public static double[] Of(DrawnShape shape, int width, int height)
    {
        double minX = double.MaxValue, maxX = double.MinValue, minY = double.MaxValue, maxY = double.MinValue;
        for (int i = 0; i < shape.Polygon.Length; i += 2)
        {
            minX = Math.Min(minX, shape.Polygon[i]); maxX = Math.Max(maxX, shape.Polygon[i]);
            minY = Math.Min(minY, shape.Polygon[i + 1]); maxY = Math.Max(maxY, shape.Polygon[i + 1]);
        }
        double cx = (minX + maxX) / 2, cy = (minY + maxY) / 2, hx = (maxX - minX) / 2, hy = (maxY - minY) / 2;
        var visible = shape.Visible.Decode();
        var names = PersonKeypoints.Names;
        var result = new double[names.Count * 3];
        for (int k = 0; k < names.Count; k++)
        {
            // Keypoint 0 is the nose; then left_*, right_* alternate.
            var (dx, dy) = k == 0 ? Nose[0] : Left[(k - 1) / 2];
            double sign = k == 0 || names[k].StartsWith("left_", StringComparison.Ordinal) ? 1 : -1;
            double x = Math.Round(cx + sign * dx * hx, 2), y = Math.Round(cy + dy * hy, 2);
            int px = Math.Clamp((int)Math.Floor(x), 0, width - 1), py = Math.Clamp((int)Math.Floor(y), 0, height - 1);
            result[3 * k] = x;
            result[3 * k + 1] = y;
            result[3 * k + 2] = visible[py * width + px] != 0 ? 2 : 1;
        }
        return result;
    }
}
