using System.Collections.Concurrent;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;

namespace MaskRcnn.Evaluation;

/// <summary>
/// pycocotools' <c>evaluateImg</c> for every cell, area range and IoU threshold at once. Per threshold, detections
/// in score order take the best-IoU ground truth still free (a crowd one can be taken many times), preferring
/// non-ignored ground truths: ignored ones (crowd, or area out of range) are sorted last and the search stops at
/// them once a non-ignored match is found. Ignored means crowd or, for keypoints, without labelled keypoints. A detection matched to an ignored ground truth is ignored, and so is an
/// unmatched one whose own area is out of range. As in pycocotools, which records a match by the annotation's id,
/// a match to a ground truth whose id is 0 counts as no match.
/// </summary>
static class ImageMatcher
{
    public const byte Matched = 1, Ignored = 2;

    /// <summary>Per area range a, threshold t and detection slot s: <c>flags[(a·T + t)·S + s]</c> of <see cref="Matched"/> | <see cref="Ignored"/>.</summary>
    public static byte[] Run(EvaluationIndex index, IouType iouType, CocoEvalParams p, int threads)
    {
        int slots = index.SlotCount, t = p.IouThresholds.Count, a = p.AreaRanges.Count;
        var flags = new byte[(long)a * t * slots];
        var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
        Parallel.ForEach(Partitioner.Create(0, index.CellCount, Math.Max(64, index.CellCount / (threads * 16) + 1)), options, range =>
        {
            var scratch = new Scratch();
            for (int c = range.Item1; c < range.Item2; c++) MatchCell(index, iouType, p, c, flags, scratch);
        });
        return flags;
    }

    sealed class Scratch
    {
        public double[] Iou = new double[256];
        public int[] GtSorted = new int[16];
        public bool[] GtIgnored = new bool[16];
        public bool[] GtTaken = new bool[16];

        public void Ensure(int detections, int groundTruths)
        {
            if (Iou.Length < detections * groundTruths) Iou = new double[detections * groundTruths * 2];
            if (GtSorted.Length < groundTruths)
            {
                GtSorted = new int[groundTruths * 2];
                GtIgnored = new bool[groundTruths * 2];
                GtTaken = new bool[groundTruths * 2];
            }
        }
    }

    static void MatchCell(EvaluationIndex index, IouType iouType, CocoEvalParams p, int cell, byte[] flags, Scratch scratch)
    {
        int gtFrom = index.GtStart[cell], gtCount = index.GtStart[cell + 1] - gtFrom;
        int slotFrom = index.DtStart[cell], dtCount = index.DtStart[cell + 1] - slotFrom;
        if (dtCount == 0) return;
        int slots = index.SlotCount, thresholds = p.IouThresholds.Count;
        scratch.Ensure(dtCount, gtCount);
        var gts = index.GtOfCell.AsSpan(gtFrom, gtCount);
        var dts = index.DtOfCell.AsSpan(slotFrom, dtCount);
        var iou = scratch.Iou.AsSpan(0, dtCount * gtCount);
        FillIou(index, iouType, dts, gts, iou);

        var sorted = scratch.GtSorted.AsSpan(0, gtCount);
        var ignored = scratch.GtIgnored.AsSpan(0, gtCount);
        var taken = scratch.GtTaken.AsSpan(0, gtCount);
        for (int a = 0; a < p.AreaRanges.Count; a++)
        {
            var range = p.AreaRanges[a];
            // Ground truths in evaluation order: the kept ones first, then the ignored, each in file order.
            int n = 0;
            for (int pass = 0; pass < 2; pass++)
                for (int g = 0; g < gtCount; g++)
                {
                    int gt = gts[g];
                    bool ignore = index.GtIgnore[gt] || range.Excludes(index.GtArea[gt]);
                    if (ignore != (pass == 1)) continue;
                    sorted[n] = g;
                    ignored[n++] = ignore;
                }
            for (int t = 0; t < thresholds; t++)
            {
                taken.Clear();
                double threshold = Math.Min(p.IouThresholds[t], 1 - 1e-10);
                var cellFlags = flags.AsSpan((int)(((long)a * thresholds + t) * slots) + slotFrom, dtCount);
                for (int d = 0; d < dtCount; d++)
                {
                    double best = threshold;
                    int m = -1;
                    var row = iou.Slice(d * gtCount, gtCount);
                    for (int j = 0; j < gtCount; j++)
                    {
                        int g = sorted[j];
                        if (taken[j] && !index.GtCrowd[gts[g]]) continue;
                        if (m > -1 && !ignored[m] && ignored[j]) break;
                        if (row[g] < best) continue;
                        best = row[g];
                        m = j;
                    }
                    byte f = 0;
                    if (m > -1)
                    {
                        taken[m] = true;
                        if (index.GtId[gts[sorted[m]]] != 0) f |= Matched;
                        if (ignored[m]) f |= Ignored;
                    }
                    if ((f & Matched) == 0 && range.Excludes(index.DtArea[dts[d]])) f |= Ignored;
                    cellFlags[d] = f;
                }
            }
        }
    }

    /// <summary>IoU (OKS for keypoints) of each detection (rows) with each ground truth (columns, file order), as
    /// pycocotools' <c>computeIoU</c> and <c>computeOks</c>.</summary>
    static void FillIou(EvaluationIndex index, IouType iouType, ReadOnlySpan<int> dts, ReadOnlySpan<int> gts, Span<double> iou)
    {
        int gtCount = gts.Length;
        if (gtCount == 0) return;
        if (iouType == IouType.Keypoints)
        {
            for (int d = 0; d < dts.Length; d++)
            {
                var keypoints = index.DtKeypoints[dts[d]]!;
                for (int g = 0; g < gtCount; g++)
                {
                    int gt = gts[g];
                    iou[d * gtCount + g] = KeypointOks.Compute(keypoints, index.GtKeypoints[gt]!, index.GtBox[gt], index.GtArea[gt], index.KeypointVariances);
                }
            }
            return;
        }
        if (iouType == IouType.Bbox)
        {
            for (int d = 0; d < dts.Length; d++)
            {
                var box = index.DtBox[dts[d]];
                for (int g = 0; g < gtCount; g++)
                    iou[d * gtCount + g] = CocoBox.Iou(box, index.GtBox[gts[g]], index.GtCrowd[gts[g]]);
            }
            return;
        }
        Span<CocoBox> gtBoxes = gtCount <= 64 ? stackalloc CocoBox[gtCount] : new CocoBox[gtCount];
        for (int g = 0; g < gtCount; g++) gtBoxes[g] = index.GtMask[gts[g]]!.ToBbox();
        for (int d = 0; d < dts.Length; d++)
        {
            var mask = index.DtMask[dts[d]]!;
            var box = mask.ToBbox();
            for (int g = 0; g < gtCount; g++)
            {
                int gt = gts[g];
                iou[d * gtCount + g] = RleIou.Pair(mask, box, index.GtMask[gt]!, gtBoxes[g], index.GtCrowd[gt]);
            }
        }
    }
}
