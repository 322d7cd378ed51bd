using MaskRcnn.Structures.Masks;

namespace MaskRcnn.Evaluation;

/// <summary>
/// pycocotools' <c>computeOks</c>: the object keypoint similarity of a detection with a ground truth, the mean over
/// the ground truth's labelled keypoints (v &gt; 0) of exp(−d² / (2·s·(2σ)²)), d the distance between the two
/// keypoints and s the ground truth's area. A ground truth with no labelled keypoint is compared with its box grown
/// to three times its size about it: d is how far each detected keypoint lies outside that region, over all
/// keypoints. Arithmetic in numpy's order (its pairwise sum included), so that the doubles are the same.
/// </summary>
static class KeypointOks
{
    // numpy's spacing(1), added to the area so that a zero area divides.
    const double Eps = 2.220446049250313e-16;

    /// <param name="variances">(2σ)² per keypoint.</param>
    public static double Compute(ReadOnlySpan<double> detection, ReadOnlySpan<double> groundTruth, in CocoBox gtBox, double gtArea,
        ReadOnlySpan<double> variances)
    {
        int k = variances.Length;
        Span<double> terms = stackalloc double[k];
        int labelled = 0;
        for (int i = 0; i < k; i++)
            if (groundTruth[3 * i + 2] > 0) labelled++;
        double area = gtArea + Eps;
        int n = 0;
        if (labelled > 0)
        {
            for (int i = 0; i < k; i++)
            {
                if (!(groundTruth[3 * i + 2] > 0)) continue;
                double dx = detection[3 * i] - groundTruth[3 * i], dy = detection[3 * i + 1] - groundTruth[3 * i + 1];
                terms[n++] = Math.Exp(-((dx * dx + dy * dy) / variances[i] / area / 2));
            }
        }
        else
        {
            double x0 = gtBox.X - gtBox.Width, x1 = gtBox.X + gtBox.Width * 2;
            double y0 = gtBox.Y - gtBox.Height, y1 = gtBox.Y + gtBox.Height * 2;
            for (int i = 0; i < k; i++)
            {
                double xd = detection[3 * i], yd = detection[3 * i + 1];
                double dx = Math.Max(0, x0 - xd) + Math.Max(0, xd - x1), dy = Math.Max(0, y0 - yd) + Math.Max(0, yd - y1);
                terms[n++] = Math.Exp(-((dx * dx + dy * dy) / variances[i] / area / 2));
            }
        }
        return PairwiseSum(terms[..n]) / n;
    }

    /// <summary>(2σ)² for each σ, as numpy's <c>(sigmas * 2)**2</c>.</summary>
    public static double[] Variances(IReadOnlyList<double> sigmas) => sigmas.Select(s => s * 2 * (s * 2)).ToArray();

    /// <summary>numpy's pairwise summation of a float64 array of up to 128 values: sequential below 8; otherwise eight
    /// running sums over strided elements, combined as a tree, then the remainder added in order.</summary>
    static double PairwiseSum(ReadOnlySpan<double> a)
    {
        if (a.Length > 128) throw new ArgumentException($"pairwise sum of {a.Length} values: at most 128 keypoints are supported");
        double sum = 0;
        if (a.Length < 8)
        {
            foreach (var v in a) sum += v;
            return sum;
        }
        Span<double> r = stackalloc double[8];
        a[..8].CopyTo(r);
        int i = 8;
        for (; i < a.Length - a.Length % 8; i += 8)
            for (int j = 0; j < 8; j++) r[j] += a[i + j];
        sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < a.Length; i++) sum += a[i];
        return sum;
    }
}
