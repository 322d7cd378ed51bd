using MaskRcnn.Data.Coco;

namespace MaskRcnn.Evaluation;

/// <summary>
/// COCO detection evaluation with pycocotools' semantics and numbers (COCOeval's evaluate + accumulate +
/// summarize for bbox, segm and keypoints), run in parallel over (category, image) cells on flat arrays.
/// </summary>
public static class CocoEvaluator
{
    /// <param name="parameters">null: pycocotools' defaults for <paramref name="iouType"/>.</param>
    public static CocoEvaluation Evaluate(CocoFile groundTruth, CocoResultSet results, IouType iouType, CocoEvalParams? parameters = null, int threads = 0)
    {
        var p = parameters ?? CocoEvalParams.For(iouType);
        if (threads <= 0) threads = Environment.ProcessorCount;
        var index = EvaluationIndex.Build(groundTruth, results, iouType, p);
        var flags = ImageMatcher.Run(index, iouType, p, threads);
        return PrecisionAccumulator.Accumulate(index, flags, iouType, p, threads);
    }
}
