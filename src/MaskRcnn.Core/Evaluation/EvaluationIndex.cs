using MaskRcnn.Data.Coco;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;

namespace MaskRcnn.Evaluation;

/// <summary>
/// Ground truth and detections laid out in arrays for evaluation, grouped into cells: one per (category, image)
/// that has any ground truth or detection, ordered by category then image id (the order in which pycocotools
/// concatenates per-image results). Within a cell, ground truths keep file order and detections are sorted by
/// score, highest first, ties in file order (pycocotools' stable mergesort), and cut to the largest maxDets.
/// Detections of categories the ground truth does not have are left out, as pycocotools leaves them out.
/// A ground truth is ignored when it is a crowd, and for keypoints also when its <c>num_keypoints</c> is 0.
/// </summary>
sealed class EvaluationIndex
{
    public required long[] ImageIds { get; init; }
    public required long[] CategoryIds { get; init; }

    // Ground truths, in file order.
    public required CocoBox[] GtBox { get; init; }
    public required double[] GtArea { get; init; }
    public required bool[] GtCrowd { get; init; }
    /// <summary>pycocotools' <c>gt['ignore']</c>: crowd, or (keypoints) no labelled keypoint.</summary>
    public required bool[] GtIgnore { get; init; }
    public required long[] GtId { get; init; }
    public Rle?[] GtMask { get; init; } = [];
    public double[]?[] GtKeypoints { get; init; } = [];

    // Detections, in results order (only those of known categories).
    public required CocoBox[] DtBox { get; init; }
    public required double[] DtArea { get; init; }
    public required double[] DtScore { get; init; }
    public Rle?[] DtMask { get; init; } = [];
    public double[]?[] DtKeypoints { get; init; } = [];
    /// <summary>OKS's (2σ)² per keypoint.</summary>
    public double[] KeypointVariances { get; init; } = [];

    /// <summary>Cells of category k are <c>CategoryCellStart[k] .. CategoryCellStart[k + 1]</c>.</summary>
    public required int[] CategoryCellStart { get; init; }
    /// <summary>Ground truths of cell c: <c>GtOfCell[GtStart[c] .. GtStart[c + 1]]</c>.</summary>
    public required int[] GtStart { get; init; }
    public required int[] GtOfCell { get; init; }
    /// <summary>Detections of cell c, best first, at most the largest maxDets: <c>DtOfCell[DtStart[c] .. DtStart[c + 1]]</c>.
    /// Their positions in this array are the cells' detection slots.</summary>
    public required int[] DtStart { get; init; }
    public required int[] DtOfCell { get; init; }

    public int CellCount => GtStart.Length - 1;
    public int SlotCount => DtOfCell.Length;

    public static EvaluationIndex Build(CocoFile groundTruth, CocoResultSet results, IouType iouType, CocoEvalParams parameters)
    {
        long[] imageIds = (parameters.ImageIds ?? groundTruth.Images.Select(i => i.Id)).Distinct().Order().ToArray();
        foreach (var id in imageIds)
            if (!groundTruth.ImagesById.ContainsKey(id)) throw new DataException($"image id {id} to evaluate is not in the ground truth {groundTruth.Path}");
        long[] categoryIds = groundTruth.Categories.Select(c => c.Id).Distinct().Order().ToArray();
        var imageIndex = new Dictionary<long, int>(imageIds.Length);
        for (int i = 0; i < imageIds.Length; i++) imageIndex[imageIds[i]] = i;
        var categoryIndex = new Dictionary<long, int>(categoryIds.Length);
        for (int k = 0; k < categoryIds.Length; k++) categoryIndex[categoryIds[k]] = k;
        long images = imageIds.Length;

        // Only the evaluated images' annotations, in file order.
        var annotations = parameters.ImageIds is null ? groundTruth.Annotations
            : groundTruth.Annotations.Where(a => imageIndex.ContainsKey(a.ImageId)).ToList();
        int gtCount = annotations.Count;
        var gtKey = new long[gtCount];
        for (int g = 0; g < gtCount; g++)
            gtKey[g] = categoryIndex[annotations[g].CategoryId] * images + imageIndex[annotations[g].ImageId];
        var gtOrder = Enumerable.Range(0, gtCount).ToArray();
        Array.Sort(gtOrder, (x, y) => gtKey[x] != gtKey[y] ? gtKey[x].CompareTo(gtKey[y]) : x.CompareTo(y));

        var kept = new List<int>(results.Results.Count);
        for (int d = 0; d < results.Results.Count; d++)
        {
            var r = results.Results[d];
            if (!groundTruth.ImagesById.ContainsKey(r.ImageId))
                throw new DataException($"{results.Source}: result {d}: image id {r.ImageId} is not in the ground truth {groundTruth.Path}");
            if (categoryIndex.ContainsKey(r.CategoryId) && imageIndex.ContainsKey(r.ImageId)) kept.Add(d);
        }
        int dtCount = kept.Count;
        var dtKey = new long[dtCount];
        var dtScore = new double[dtCount];
        var dtBox = new CocoBox[dtCount];
        for (int j = 0; j < dtCount; j++)
        {
            var r = results.Results[kept[j]];
            dtKey[j] = categoryIndex[r.CategoryId] * images + imageIndex[r.ImageId];
            dtScore[j] = r.Score;
            dtBox[j] = r.Bbox;
        }
        var dtOrder = Enumerable.Range(0, dtCount).ToArray();
        Array.Sort(dtOrder, (x, y) => dtKey[x] != dtKey[y] ? dtKey[x].CompareTo(dtKey[y])
            : dtScore[x] != dtScore[y] ? dtScore[y].CompareTo(dtScore[x]) : x.CompareTo(y));

        // Merge the two sorted key lists into cells.
        int maxDets = parameters.MaxDets.Max();
        var categoryCellStart = new int[categoryIds.Length + 1];
        var gtStart = new List<int> { 0 };
        var dtStart = new List<int> { 0 };
        var dtOfCell = new List<int>(dtCount);
        int gi = 0, di = 0, cells = 0;
        while (gi < gtCount || di < dtCount)
        {
            long key = Math.Min(gi < gtCount ? gtKey[gtOrder[gi]] : long.MaxValue, di < dtCount ? dtKey[dtOrder[di]] : long.MaxValue);
            while (gi < gtCount && gtKey[gtOrder[gi]] == key) gi++;
            int taken = 0;
            while (di < dtCount && dtKey[dtOrder[di]] == key)
            {
                if (taken++ < maxDets) dtOfCell.Add(dtOrder[di]);
                di++;
            }
            gtStart.Add(gi);
            dtStart.Add(dtOfCell.Count);
            categoryCellStart[(int)(key / images) + 1] = ++cells;
        }
        for (int k = 1; k <= categoryIds.Length; k++) categoryCellStart[k] = Math.Max(categoryCellStart[k], categoryCellStart[k - 1]);

        if (iouType == IouType.Keypoints) CheckKeypoints(groundTruth, annotations, results, kept, parameters.KeypointSigmas.Count);
        var index = new EvaluationIndex
        {
            ImageIds = imageIds,
            CategoryIds = categoryIds,
            GtBox = annotations.Select(a => a.Bbox).ToArray(),
            GtArea = annotations.Select(a => a.Area).ToArray(),
            GtCrowd = annotations.Select(a => a.IsCrowd).ToArray(),
            GtIgnore = annotations.Select(a => a.IsCrowd || (iouType == IouType.Keypoints && a.NumKeypoints == 0)).ToArray(),
            GtId = annotations.Select(a => a.Id).ToArray(),
            GtMask = iouType == IouType.Segm ? GroundTruthMasks(groundTruth, annotations) : [],
            GtKeypoints = iouType == IouType.Keypoints ? annotations.Select(a => a.Keypoints).ToArray() : [],
            DtBox = dtBox,
            DtArea = new double[dtCount],
            DtScore = dtScore,
            DtMask = iouType == IouType.Segm ? new Rle?[dtCount] : [],
            DtKeypoints = iouType == IouType.Keypoints ? kept.Select(d => results.Results[d].Keypoints).ToArray() : [],
            KeypointVariances = KeypointOks.Variances(parameters.KeypointSigmas),
            CategoryCellStart = categoryCellStart,
            GtStart = gtStart.ToArray(),
            GtOfCell = gtOrder,
            DtStart = dtStart.ToArray(),
            DtOfCell = dtOfCell.ToArray(),
        };
        index.MeasureDetections(groundTruth, results, kept, iouType);
        return index;
    }

    /// <summary>pycocotools reads every evaluated ground truth's <c>num_keypoints</c> and <c>keypoints</c>, and every
    /// detection's <c>keypoints</c>, one per sigma: refuse what it would fail on, naming the annotation or result.</summary>
    static void CheckKeypoints(CocoFile groundTruth, IReadOnlyList<CocoAnnotation> annotations, CocoResultSet results, List<int> kept, int count)
    {
        foreach (var a in annotations)
        {
            if (a.NumKeypoints is null)
                throw new DataException($"{groundTruth.Path}: annotation {a.Id} has no 'num_keypoints'; keypoints evaluation needs it on every annotation");
            if (a.Keypoints?.Length != 3 * count)
                throw new DataException($"{groundTruth.Path}: annotation {a.Id} " +
                    (a.Keypoints is null ? "has no 'keypoints'" : $"has {a.Keypoints.Length / 3} keypoints") + $"; keypoints evaluation needs {count} on every annotation");
        }
        foreach (var d in kept)
            if (results.Results[d].Keypoints is not { } k || k.Length != 3 * count)
                throw new DataException($"{results.Source}: result {d} " +
                    (results.Results[d].Keypoints is null ? "has no 'keypoints'" : $"has {results.Results[d].Keypoints!.Length / 3} keypoints") + $"; keypoints evaluation needs {count}");
    }

    /// <summary>Each ground truth's mask, as pycocotools' annToRLE makes it for segm evaluation.</summary>
    static Rle?[] GroundTruthMasks(CocoFile groundTruth, IReadOnlyList<CocoAnnotation> annotations)
    {
        var masks = new Rle?[annotations.Count];
        ForEachReportingDataErrors(annotations.Count, g =>
        {
            var a = annotations[g];
            if (a.Segmentation is null)
                throw new DataException($"{groundTruth.Path}: annotation {a.Id} has no segmentation; segm evaluation needs one for every annotation");
            var image = groundTruth.ImagesById[a.ImageId];
            masks[g] = a.Segmentation.ToRle(image.Height, image.Width);
        });
        return masks;
    }

    /// <summary>Detection areas (and masks, for segm) as pycocotools' loadRes sets them: from the box when the results
    /// carry boxes, else from the mask; a box-only detection's mask is its box rasterized as a polygon.</summary>
    void MeasureDetections(CocoFile groundTruth, CocoResultSet results, List<int> kept, IouType iouType)
    {
        ForEachReportingDataErrors(kept.Count, j =>
        {
            var r = results.Results[kept[j]];
            Rle? mask = r.Segmentation;
            if (iouType == IouType.Segm)
            {
                var image = groundTruth.ImagesById[r.ImageId];
                if (mask is not null && (mask.Height != image.Height || mask.Width != image.Width))
                    throw new DataException($"{results.Source}: result {kept[j]}: mask is {mask.Height}x{mask.Width} but image {image.Id} is {image.Height}x{image.Width}");
                mask ??= Rle.FromBbox(r.Bbox, image.Height, image.Width);
                DtMask[j] = mask;
            }
            DtArea[j] = results.AreaFromBox || r.Segmentation is null ? r.Bbox.Width * r.Bbox.Height : r.Segmentation.Area();
        });
    }

    /// <summary>Parallel.For that fails with the first <see cref="DataException"/> itself rather than wrapped in an
    /// AggregateException, so that the user sees its one-line message.</summary>
    static void ForEachReportingDataErrors(int count, Action<int> body)
    {
        try { Parallel.For(0, count, body); }
        catch (AggregateException e) when (e.InnerExceptions.OfType<DataException>().FirstOrDefault() is { } first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }
    }
}
