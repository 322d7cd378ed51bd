using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Structures.Keypoints;

/// <summary>
/// COCO person keypoints of the instances of one image (maskrcnn-benchmark's <c>PersonKeypoints</c>): a float32
/// tensor [N, 17, 3] of x, y, v in pixels of <see cref="Size"/> (v 0 = not labelled, then x = y = 0, as COCO writes
/// it). They follow their boxes: a mirror swaps left and right keypoints (<see cref="FlipIndices"/>). Mirroring maps
/// x ↦ W − x as this project's boxes and polygons do (maskrcnn-benchmark subtracts one more pixel from all three).
/// </summary>
public sealed class PersonKeypoints : IInstanceField, ITensorHolder
{
    /// <summary>COCO's keypoint order.</summary>
    public static IReadOnlyList<string> Names => names;

    static readonly string[] names =
    [
        "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder", "left_elbow",
        "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle",
        "right_ankle",
    ];

    /// <summary>COCO's person skeleton: the 19 limbs joining keypoints, as 0-based indices into <see cref="Names"/>. Data
    /// from the person category's <c>"skeleton"</c> in COCO's <c>person_keypoints_train2017.json</c> /
    /// <c>person_keypoints_val2017.json</c>, which numbers keypoints from 1 (<see cref="SkeletonOneBased"/>).</summary>
    public static IReadOnlyList<(int From, int To)> Skeleton { get; } =
    [
        (15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12), (5, 6), (5, 7), (6, 8),
        (7, 9), (8, 10), (1, 2), (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6),
    ];

    /// <summary><see cref="Skeleton"/> numbered as COCO's files write it (from 1).</summary>
    public static IReadOnlyList<(int From, int To)> SkeletonOneBased { get; } = Skeleton.Select(e => (e.From + 1, e.To + 1)).ToArray();

    /// <summary>For each keypoint, the one it becomes in a mirror image: left ↔ right, the nose stays.</summary>
    public static IReadOnlyList<int> FlipIndices { get; } = names.Select(n => Array.IndexOf(names,
        n.StartsWith("left_", StringComparison.Ordinal) ? "right_" + n[5..] : n.StartsWith("right_", StringComparison.Ordinal) ? "left_" + n[6..] : n)).ToArray();

    public PersonKeypoints(Tensor keypoints, ImageSize size)
    {
        if (keypoints.ndim != 3 || keypoints.shape[1] != Names.Count || keypoints.shape[2] != 3)
            throw new ArgumentException($"keypoints are [{string.Join(", ", keypoints.shape)}], expected [N, {Names.Count}, 3]", nameof(keypoints));
        Tensor = keypoints.dtype == ScalarType.Float32 ? keypoints : keypoints.to(ScalarType.Float32);
        Size = size;
    }

    /// <summary>From COCO annotations' <c>keypoints</c> lists (x, y, v per keypoint).</summary>
    public static PersonKeypoints FromCoco(IReadOnlyList<double[]> keypoints, ImageSize size)
    {
        int k = Names.Count;
        var values = new float[keypoints.Count * k * 3];
        for (int i = 0; i < keypoints.Count; i++)
        {
            if (keypoints[i].Length != 3 * k) throw new ArgumentException($"instance {i} has {keypoints[i].Length / 3} keypoints, expected {k}", nameof(keypoints));
            for (int j = 0; j < 3 * k; j++) values[i * 3 * k + j] = (float)keypoints[i][j];
        }
        return new PersonKeypoints(torch.tensor(values, [keypoints.Count, k, 3]), size);
    }

    /// <summary>x, y, v: [N, 17, 3] float32.</summary>
    public Tensor Tensor { get; }
    public ImageSize Size { get; }
    public int Count => (int)Tensor.shape[0];

    IEnumerable<Tensor> ITensorHolder.Tensors => [Tensor];

    public IInstanceField Select(Tensor indices) => new PersonKeypoints(Tensor.index_select(0, indices.to(Tensor.device)), Size);

    public IInstanceField Resize(ImageSize size)
    {
        var scale = torch.tensor(new[] { (float)size.Width / Size.Width, (float)size.Height / Size.Height, 1f }, device: Tensor.device);
        return new PersonKeypoints(Tensor * scale, size);
    }

    public IInstanceField FlipHorizontal() => Mirror(x => Size.Width - x, 0);

    /// <summary>A top-bottom mirror is a reflection too, so left and right swap as in a left-right one.</summary>
    public IInstanceField FlipVertical() => Mirror(y => Size.Height - y, 1);

    /// <summary>Shifts to the crop; keypoints outside it become unlabelled (0, 0, 0).</summary>
    public IInstanceField Crop(int left, int top, int right, int bottom)
    {
        var x = Tensor.select(2, 0) - left;
        var y = Tensor.select(2, 1) - top;
        var v = Tensor.select(2, 2);
        var inside = x.ge(0).logical_and(x.le(right - left)).logical_and(y.ge(0)).logical_and(y.le(bottom - top)).logical_and(v.gt(0));
        var cropped = torch.stack([x, y, v], dim: 2) * inside.unsqueeze(2).to(ScalarType.Float32);
        return new PersonKeypoints(cropped, new ImageSize(bottom - top, right - left));
    }

    PersonKeypoints Mirror(Func<Tensor, Tensor> map, int axis)
    {
        var swapped = Tensor.index_select(1, torch.tensor(FlipIndices.Select(i => (long)i).ToArray(), device: Tensor.device));
        var coordinates = new[] { swapped.select(2, 0), swapped.select(2, 1) };
        coordinates[axis] = map(coordinates[axis]);
        var v = swapped.select(2, 2);
        // COCO's convention: an unlabelled keypoint is (0, 0, 0), also after the mirror.
        var labelled = v.gt(0).to(ScalarType.Float32);
        return new PersonKeypoints(torch.stack([coordinates[0] * labelled, coordinates[1] * labelled, v], dim: 2), Size);
    }
}
