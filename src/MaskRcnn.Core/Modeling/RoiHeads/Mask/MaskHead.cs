using MaskRcnn.Structures;
using MaskRcnn.Structures.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RoiHeads.Mask;

/// <summary>
/// The mask head. Training: on the foreground RoIs only, each RoI's ground-truth mask cropped to the RoI and
/// resized to M×M is the target of the logit map of its gt class (binary cross-entropy; no competition between
/// classes). Inference: mask probabilities of each detection's class, [N,1,M,M], as <see cref="BoxFields.MaskProbabilities"/>.
/// With a shared feature extractor (C4 models) the box head's RoI features are reused.
/// </summary>
public sealed class MaskHead : nn.Module
{
    readonly MaskFeatureExtractor? extractor;
    readonly MaskPredictor predictor;
    readonly int resolution;

    public MaskHead(MaskFeatureExtractor? extractor, MaskPredictor predictor, int resolution) : base(nameof(MaskHead))
    {
        this.extractor = extractor;
        this.predictor = predictor;
        this.resolution = resolution;
        if (extractor is not null) register_module("feature_extractor", extractor);
        register_module("predictor", predictor);
    }

    /// <summary>Children are registered by hand under maskrcnn-benchmark's names; TorchSharp would also register
    /// every module-typed field or property under its C# name.</summary>
    protected override void RegisterComponents() { }

    /// <param name="sharedFeatures">With a shared extractor: computes the box head's features for given RoIs.</param>
    public Tensor? Loss(Tensor[] features, IReadOnlyList<BoxList> sampled, IReadOnlyList<BoxList> targets, Func<IReadOnlyList<BoxList>, Tensor>? sharedFeatures)
    {
        var positives = sampled.Select(s => s.Select(s.Field(BoxFields.Labels) > 0)).ToList();
        var logits = Logits(features, positives, sharedFeatures);
        var labels = torch.cat(positives.Select(p => p.Field(BoxFields.Labels)).ToArray(), 0);
        if (labels.shape[0] == 0) return logits.sum() * 0;
        var maskTargets = new List<Tensor>();
        using (torch.no_grad())
            for (int i = 0; i < positives.Count; i++)
            {
                if (positives[i].Count == 0) continue;
                var masks = targets[i].Field<IInstanceMasks>(BoxFields.Masks).Select(positives[i].Field(BoxFields.MatchedIndices).cpu().data<long>().ToArray());
                maskTargets.Add(masks.CropAndResize(positives[i].Boxes, resolution));
            }
        var chosen = logits[torch.arange(labels.shape[0], device: logits.device), labels];
        return nn.functional.binary_cross_entropy_with_logits(chosen, torch.cat(maskTargets, 0).to(chosen.device));
    }

    /// <summary>Adds [N,1,M,M] mask probabilities of each detection's class to the detections.</summary>
    public List<BoxList> Infer(Tensor[] features, IReadOnlyList<BoxList> detections, Func<IReadOnlyList<BoxList>, Tensor>? sharedFeatures)
    {
        using var _ = torch.no_grad();
        var logits = Logits(features, detections, sharedFeatures);
        var labels = torch.cat(detections.Select(d => d.Field(BoxFields.Labels)).ToArray(), 0);
        var probabilities = torch.sigmoid(logits[torch.arange(labels.shape[0], device: logits.device), labels]).unsqueeze(1);
        var result = new List<BoxList>();
        long start = 0;
        foreach (var d in detections)
        {
            result.Add(d.With(BoxFields.MaskProbabilities, probabilities[(int)start..(int)(start + d.Count)]));
            start += d.Count;
        }
        return result;
    }

    Tensor Logits(Tensor[] features, IReadOnlyList<BoxList> rois, Func<IReadOnlyList<BoxList>, Tensor>? sharedFeatures)
    {
        if (rois.Sum(r => r.Count) == 0)
            return torch.zeros([0, 1, resolution, resolution], device: features[0].device);
        var x = extractor is not null ? extractor.forward(features, rois.Select(r => r.Boxes).ToList())
            : sharedFeatures?.Invoke(rois) ?? throw new InvalidOperationException("a mask head without its own feature extractor needs the box head's");
        return predictor.forward(x);
    }
}
