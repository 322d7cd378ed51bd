using MaskRcnn.Layers;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.RoiHeads.Box;

/// <summary>The box head: feature extractor → predictor → loss (training) or post-processor (inference).</summary>
public sealed class BoxHead : nn.Module
{
    readonly RoiSampler sampler;
    readonly BoxPostProcessor postProcessor;
    readonly RoiHeadsOptions options;

    public BoxHead(BoxFeatureExtractor extractor, BoxPredictor predictor, RoiHeadsOptions options, BoxConvention convention) : base(nameof(BoxHead))
    {
        this.options = options;
        FeatureExtractor = extractor;
        Predictor = predictor;
        var coder = new BoxCoder(options.BoxRegWeights, plusOne: convention.PlusOne());
        sampler = new RoiSampler(options, coder);
        postProcessor = new BoxPostProcessor(options, coder);
        register_module("feature_extractor", extractor);
        register_module("predictor", predictor);
    }

    /// <summary>Children are registered by hand under maskrcnn-benchmark's names; TorchSharp would also register
    /// every module-typed field or property under its C# name.</summary>
    protected override void RegisterComponents() { }

    public BoxFeatureExtractor FeatureExtractor { get; }
    public BoxPredictor Predictor { get; }

    /// <summary>Training: the sampled RoIs, their features and the two losses. Inference: detections, their features unused.</summary>
    public (List<BoxList> Rois, Tensor Features, Dictionary<string, Tensor> Losses) Forward(Tensor[] features, IReadOnlyList<BoxList> proposals,
        IReadOnlyList<BoxList>? targets, IReadOnlyList<Generator>? generators)
    {
        var losses = new Dictionary<string, Tensor>();
        if (training)
        {
            if (targets is null) throw new ArgumentException("training the box head needs targets");
            var sampled = sampler.Sample(proposals, targets, generators);
            var x = FeatureExtractor.forward(features, sampled);
            var (logits, deltas) = Predictor.forward(x);
            var (classification, box) = BoxHeadLoss.Compute(logits, deltas, sampled, options.ClassAgnosticBoxes, options.SmoothL1Beta);
            losses["loss_classifier"] = classification;
            losses["loss_box_reg"] = box;
            return (sampled, x, losses);
        }
        var features1 = FeatureExtractor.forward(features, proposals);
        var (l, d) = Predictor.forward(features1);
        return (postProcessor.Process(l, d, proposals), features1, losses);
    }

    /// <summary>Inference before filtering: per image, every (RoI, class) above <c>SCORE_THRESH</c> as a box with
    /// "scores" and "labels" (see <see cref="BoxPostProcessor.Candidates"/>).</summary>
    public List<BoxList> Candidates(Tensor[] features, IReadOnlyList<BoxList> proposals)
    {
        var (l, d) = Predictor.forward(FeatureExtractor.forward(features, proposals));
        return postProcessor.Candidates(l, d, proposals);
    }

    /// <summary>Per-class NMS and the detection limit over candidates (<see cref="BoxPostProcessor.Filter"/>).</summary>
    public BoxList Filter(BoxList candidates) => postProcessor.Filter(candidates);
}
