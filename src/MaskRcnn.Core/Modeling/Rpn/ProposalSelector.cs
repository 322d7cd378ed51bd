using MaskRcnn.Layers;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.Rpn;

/// <summary>
/// Turns RPN outputs into proposals: per level the top <c>PRE_NMS_TOP_N</c> anchors by objectness, decoded,
/// clipped to the image, small boxes removed, NMS within each level keeping <c>POST_NMS_TOP_N</c> per level, then
/// the best <c>FPN_POST_NMS_TOP_N</c> over all levels per image (maskrcnn-benchmark's quirk of choosing them over
/// the whole batch in training is available with <c>FPN_POST_NMS_PER_BATCH</c>). This equals torchvision's
/// batched-by-level NMS when the per-level cap is at least the overall one.
/// </summary>
public sealed class ProposalSelector(RpnOptions options, BoxCoder coder)
{
    /// <param name="anchors">Per level, [M_l, 4] (the same for every image of the batch).</param>
    /// <param name="objectness">Per level, [N, M_l] logits.</param>
    /// <param name="deltas">Per level, [N, M_l, 4].</param>
    public List<BoxList> Select(Tensor[] anchors, Tensor[] objectness, Tensor[] deltas, IReadOnlyList<ImageSize> sizes, bool training)
    {
        int preTop = training ? options.PreNmsTopNTrain : options.PreNmsTopNTest;
        int postTop = training ? options.PostNmsTopNTrain : options.PostNmsTopNTest;
        int fpnTop = training ? options.FpnPostNmsTopNTrain : options.FpnPostNmsTopNTest;
        bool multiLevel = anchors.Length > 1;
        int images = sizes.Count;
        var perImage = new List<BoxList>(images);
        using (torch.no_grad())
        {
            // The top anchors of every level, decoded for the whole batch at once.
            var levelBoxes = new List<Tensor>();
            var levelScores = new List<Tensor>();
            var levelIds = new List<Tensor>();
            for (int level = 0; level < anchors.Length; level++)
            {
                long k = Math.Min(preTop, objectness[level].shape[1]);
                var (top, index) = objectness[level].topk((int)k, dim: 1);
                var picked = deltas[level].gather(1, index.unsqueeze(2).expand(images, k, 4));
                var boxes = coder.Decode(picked.reshape(-1, 4), anchors[level][index.flatten()]).view(images, k, 4);
                levelBoxes.Add(boxes);
                levelScores.Add(torch.sigmoid(top));
                levelIds.Add(torch.full([images, k], level, ScalarType.Int64, boxes.device));
            }
            var allBoxes = torch.cat(levelBoxes, 1);
            var allScores = torch.cat(levelScores, 1);
            var allLevels = torch.cat(levelIds, 1);
            for (int i = 0; i < images; i++)
            {
                var size = sizes[i];
                var boxes = BoxOps.Clip(allBoxes[i], size.Height, size.Width);
                var keep = BoxOps.NonSmall(boxes, options.MinSize);
                var (b, s, l) = (boxes[keep], allScores[i][keep], allLevels[i][keep]);
                keep = Nms.Batched(b, s, l, options.NmsThreshold);
                keep = CapPerLevel(keep, l, postTop);
                if (multiLevel && !(training && options.FpnPostNmsPerBatch)) keep = keep[..(int)Math.Min(fpnTop, keep.shape[0])];
                perImage.Add(new BoxList(b[keep], size).With(BoxFields.Objectness, s[keep]));
            }
        }
        return multiLevel && training && options.FpnPostNmsPerBatch ? BestOverBatch(perImage, fpnTop) : perImage;
    }

    /// <summary>Of indices sorted by score, at most <paramref name="cap"/> per level, order kept.</summary>
    static Tensor CapPerLevel(Tensor keep, Tensor levels, int cap)
    {
        var ids = levels[keep].cpu().data<long>().ToArray();
        var counts = new Dictionary<long, int>();
        var mask = new bool[ids.Length];
        for (int k = 0; k < ids.Length; k++)
        {
            counts[ids[k]] = counts.GetValueOrDefault(ids[k]) + 1;
            mask[k] = counts[ids[k]] <= cap;
        }
        return mask.All(m => m) ? keep : keep[torch.tensor(mask, device: keep.device)];
    }

    /// <summary>maskrcnn-benchmark's training quirk: the top proposals over the whole batch, not per image.</summary>
    static List<BoxList> BestOverBatch(List<BoxList> lists, int top)
    {
        var scores = torch.cat(lists.Select(l => l.Field(BoxFields.Objectness)).ToArray(), 0);
        var chosen = torch.zeros_like(scores, ScalarType.Bool);
        if (scores.shape[0] > 0) chosen.index_fill_(0, scores.topk((int)Math.Min(top, scores.shape[0])).indexes, true);
        var result = new List<BoxList>();
        long start = 0;
        foreach (var list in lists)
        {
            result.Add(list.Select(chosen[(int)start..(int)(start + list.Count)]));
            start += list.Count;
        }
        return result;
    }
}
