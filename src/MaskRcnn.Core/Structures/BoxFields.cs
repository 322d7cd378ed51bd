namespace MaskRcnn.Structures;

/// <summary>The names of the per-box fields the pipeline passes between stages.</summary>
public static class BoxFields
{
    public const string Labels = "labels";
    public const string Scores = "scores";
    public const string Masks = "masks";
    public const string Objectness = "objectness";
    public const string MatchedIndices = "matched_idxs";
    public const string RegressionTargets = "regression_targets";
    public const string IsCrowd = "iscrowd";
    /// <summary>Keypoints (ground truth, or predicted with v = 1), a <see cref="Keypoints.PersonKeypoints"/>.</summary>
    public const string Keypoints = "keypoints";
    /// <summary>Predicted keypoints' scores, [N, K] float32: the decoded heatmap's value at each keypoint.</summary>
    public const string KeypointScores = "keypoint_scores";
    /// <summary>Predicted mask probabilities of detections, [N,1,M,M] before pasting.</summary>
    public const string MaskProbabilities = "mask";
}
