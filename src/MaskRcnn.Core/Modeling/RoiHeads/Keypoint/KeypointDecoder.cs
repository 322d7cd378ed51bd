using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RoiHeads.Keypoint;

/// <summary>
/// maskrcnn-benchmark's <c>heatmaps_to_keypoints</c>: each RoI's heatmaps are resized (bicubic, as OpenCV) to the
/// RoI's size in pixels, rounded up (at least 1×1); a keypoint is the maximum of its map (the first in row-major order
/// on ties), placed at the centre of that pixel (Heckbert's c = d + 0.5) scaled back by size / rounded size and
/// shifted to the RoI; its score is the resized map's value there. Runs on the CPU, as the reference does.
/// </summary>
public static class KeypointDecoder
{
    /// <param name="heatmaps">[N, K, S, S] logits.</param>
    /// <param name="rois">[N, 4] x1, y1, x2, y2.</param>
    /// <returns>Keypoints [N, K, 3] (x, y, 1) and scores [N, K], float32 on the CPU.</returns>
    public static (Tensor Keypoints, Tensor Scores) Decode(Tensor heatmaps, Tensor rois)
    {
        int n = (int)heatmaps.shape[0], k = (int)heatmaps.shape[1], h = (int)heatmaps.shape[2], w = (int)heatmaps.shape[3];
        var maps = heatmaps.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var boxes = rois.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var keypoints = new float[n * k * 3];
        var scores = new float[n * k];
        for (int i = 0; i < n; i++)
        {
            float x1 = boxes[i * 4], y1 = boxes[i * 4 + 1];
            float width = Math.Max(boxes[i * 4 + 2] - x1, 1f), height = Math.Max(boxes[i * 4 + 3] - y1, 1f);
            int mapWidth = (int)MathF.Ceiling(width), mapHeight = (int)MathF.Ceiling(height);
            float widthCorrection = width / mapWidth, heightCorrection = height / mapHeight;
            for (int j = 0; j < k; j++)
            {
                var map = BicubicResize.Resize(maps.AsSpan((i * k + j) * h * w, h * w), h, w, mapHeight, mapWidth, j, k);
                int best = 0;
                for (int p = 1; p < map.Length; p++)
                    if (map[p] > map[best]) best = p;
                int xInt = best % mapWidth, yInt = best / mapWidth;
                // numpy: (integer + 0.5) · float32 in double, plus the float32 offset, stored as float32.
                keypoints[(i * k + j) * 3] = (float)((xInt + 0.5) * widthCorrection + x1);
                keypoints[(i * k + j) * 3 + 1] = (float)((yInt + 0.5) * heightCorrection + y1);
                keypoints[(i * k + j) * 3 + 2] = 1;
                scores[i * k + j] = map[best];
            }
        }
        return (torch.tensor(keypoints, [n, k, 3]), torch.tensor(scores, [n, k]));
    }
}
