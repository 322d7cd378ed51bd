namespace MaskRcnn.Evaluation;

/// <summary>
/// pycocotools' <c>accumulate</c>: for each category, area range and maxDets, the detections of all images (each
/// image cut to its best maxDets) ranked by score — ties in image order, then per-image rank, as numpy's stable
/// mergesort leaves them — give cumulative true and false positives per IoU threshold; precision is made monotone
/// from the right and read at the 101 recall thresholds (0 past the last recall reached); recall is the final one.
/// A category with no image holding its ground truth or detections, or no kept ground truth in the area range,
/// stays −1.
/// </summary>
static class PrecisionAccumulator
{
    // numpy's spacing(1): pycocotools adds it to tp + fp so that precision is defined with no detections.
    const double Eps = 2.220446049250313e-16;

    public static CocoEvaluation Accumulate(EvaluationIndex index, byte[] flags, IouType iouType, CocoEvalParams p, int threads)
    {
        int T = p.IouThresholds.Count, R = p.RecallThresholds.Count, K = index.CategoryIds.Length, A = p.AreaRanges.Count, M = p.MaxDets.Count;
        var precision = new double[(long)T * R * K * A * M];
        var scores = new double[precision.Length];
        var recall = new double[(long)T * K * A * M];
        Array.Fill(precision, -1.0);
        Array.Fill(scores, -1.0);
        Array.Fill(recall, -1.0);
        var slotPosition = new int[index.SlotCount];
        for (int c = 0; c < index.CellCount; c++)
            for (int s = index.DtStart[c]; s < index.DtStart[c + 1]; s++) slotPosition[s] = s - index.DtStart[c];

        Parallel.For(0, K, new ParallelOptions { MaxDegreeOfParallelism = threads }, k =>
        {
            int cellFrom = index.CategoryCellStart[k], cellTo = index.CategoryCellStart[k + 1];
            if (cellFrom == cellTo) return; // no image has this category's ground truth or detections
            int slotFrom = index.DtStart[cellFrom], slotTo = index.DtStart[cellTo];
            var ranked = new int[slotTo - slotFrom];
            for (int s = slotFrom; s < slotTo; s++) ranked[s - slotFrom] = s;
            // Slots are in image order, then per-image rank: sorting by score with the slot as tie-break is numpy's stable order.
            Array.Sort(ranked, (x, y) => index.DtScore[index.DtOfCell[x]] != index.DtScore[index.DtOfCell[y]]
                ? index.DtScore[index.DtOfCell[y]].CompareTo(index.DtScore[index.DtOfCell[x]]) : x.CompareTo(y));
            var kept = new int[ranked.Length];
            var rc = new double[ranked.Length];
            var pr = new double[ranked.Length];
            for (int m = 0; m < M; m++)
            {
                int maxDet = p.MaxDets[m], nd = 0;
                foreach (var s in ranked)
                    if (slotPosition[s] < maxDet) kept[nd++] = s;
                for (int a = 0; a < A; a++)
                {
                    int npig = KeptGroundTruths(index, cellFrom, cellTo, p.AreaRanges[a]);
                    if (npig == 0) continue;
                    for (int t = 0; t < T; t++)
                    {
                        long flagBase = ((long)a * T + t) * index.SlotCount;
                        double tp = 0, fp = 0;
                        for (int i = 0; i < nd; i++)
                        {
                            byte f = flags[flagBase + kept[i]];
                            if ((f & ImageMatcher.Ignored) == 0)
                            {
                                if ((f & ImageMatcher.Matched) != 0) tp++;
                                else fp++;
                            }
                            rc[i] = tp / npig;
                            pr[i] = tp / (fp + tp + Eps);
                        }
                        recall[((long)t * K + k) * A * M + a * M + m] = nd > 0 ? rc[nd - 1] : 0;
                        for (int i = nd - 1; i > 0; i--)
                            if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
                        // numpy.searchsorted(rc, recThrs, side='left'): the first rank whose recall reaches each threshold.
                        int pi = 0;
                        for (int r = 0; r < R; r++)
                        {
                            double threshold = p.RecallThresholds[r];
                            while (pi < nd && rc[pi] < threshold) pi++;
                            long at = (((long)t * R + r) * K + k) * A * M + a * M + m;
                            if (pi < nd)
                            {
                                precision[at] = pr[pi];
                                scores[at] = index.DtScore[index.DtOfCell[kept[pi]]];
                            }
                            else
                            {
                                precision[at] = 0;
                                scores[at] = 0;
                            }
                        }
                    }
                }
            }
        });
        return new CocoEvaluation(iouType, p, index.CategoryIds, index.ImageIds, precision, recall, scores);
    }

    /// <summary>Ground truths of the category that count in this area range: not ignored (crowd, or no labelled keypoint
    /// for keypoints), area inside it.</summary>
    static int KeptGroundTruths(EvaluationIndex index, int cellFrom, int cellTo, AreaRange range)
    {
        int count = 0;
        for (int i = index.GtStart[cellFrom]; i < index.GtStart[cellTo]; i++)
        {
            int g = index.GtOfCell[i];
            if (!index.GtIgnore[g] && !range.Excludes(index.GtArea[g])) count++;
        }
        return count;
    }
}
