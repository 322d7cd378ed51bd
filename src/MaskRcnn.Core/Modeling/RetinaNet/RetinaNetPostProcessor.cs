using MaskRcnn.Layers;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RetinaNet;

/// <summary>
/// maskrcnn-benchmark's RetinaNetPostProcessor: per image and level, sigmoid scores of every (anchor, class) above
/// INFERENCE_TH are candidates, the best PRE_NMS_TOP_N of them are decoded from their anchors and clipped; then over
/// all levels NMS per class (NMS_TH) and the best TEST.DETECTIONS_PER_IMG kept. Detections carry "scores" and
/// "labels" (1..K: logit k is class k + 1).
/// </summary>
public sealed class RetinaNetPostProcessor(RetinaNetOptions options, BoxCoder coder)
{
    /// <param name="anchors">per level [M_l, 4]</param>
    /// <param name="logits">per level [N, M_l, K]</param>
    /// <param name="deltas">per level [N, M_l, 4]</param>
    /// <param name="sizes">the network input size of each image</param>
    public List<BoxList> Process(Tensor[] anchors, Tensor[] logits, Tensor[] deltas, IReadOnlyList<ImageSize> sizes)
    {
        using var _ = torch.no_grad();
        var result = new List<BoxList>(sizes.Count);
        for (int i = 0; i < sizes.Count; i++)
        {
            using var scope = torch.NewDisposeScope();
            var size = sizes[i];
            var boxes = new List<Tensor>();
            var scores = new List<Tensor>();
            var labels = new List<Tensor>();
            for (int level = 0; level < anchors.Length; level++)
            {
                var probabilities = torch.sigmoid(logits[level][i]);
                var candidate = probabilities > options.ScoreThreshold;
                var candidateScores = probabilities[candidate];
                var where = torch.nonzero(candidate);
                long k = Math.Min(options.PreNmsTopN, candidateScores.shape[0]);
                var (top, index) = candidateScores.topk((int)k);
                var location = where[index, 0];
                var decoded = coder.Decode(deltas[level][i][location], anchors[level][location]);
                boxes.Add(BoxOps.Clip(decoded, size.Height, size.Width));
                scores.Add(top);
                labels.Add(where[index, 1] + 1);
            }
            var (b, s, l) = (torch.cat(boxes, 0), torch.cat(scores, 0), torch.cat(labels, 0));
            var keep = Nms.Batched(b, s, l, options.NmsThreshold);
            keep = keep[..(int)Math.Min(options.DetectionsPerImage, keep.shape[0])];
            result.Add(new BoxList(b[keep].MoveToOuterDisposeScope(), size)
                .With(BoxFields.Scores, s[keep].MoveToOuterDisposeScope()).With(BoxFields.Labels, l[keep].MoveToOuterDisposeScope()));
        }
        return result;
    }
}
