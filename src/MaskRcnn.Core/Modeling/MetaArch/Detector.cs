using MaskRcnn.Modeling.Backbone.Fusion;
using MaskRcnn.Structures;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Modeling.MetaArch;

/// <summary>
/// What training, inference and the weight tools need from a model, whatever its architecture (detectron2's
/// meta-architecture): a batch of images (and, in training, their targets) in; the named losses in training, the
/// detections of each image in its original coordinates at inference. Every architecture of
/// <c>MODEL.META_ARCHITECTURE</c> derives from this (see <see cref="MetaArchitectures"/>); it stays an
/// <see cref="nn.Module"/> so parameters, state dicts, devices and train/eval modes work as for any module.
/// </summary>
public abstract class Detector : nn.Module
{
    protected Detector(string name, int numClasses) : base(name) => NumClasses = numClasses;

    /// <summary>The classes it predicts, background included (<see cref="Config.ModelConfig.NumClasses"/> when built).</summary>
    public int NumClasses { get; }

    /// <summary>Whether detections carry instance masks.</summary>
    public abstract bool HasMasks { get; }

    /// <summary>Whether detections carry person keypoints (<see cref="BoxFields.Keypoints"/> and
    /// <see cref="BoxFields.KeypointScores"/>): Keypoint R-CNN only.</summary>
    public virtual bool HasKeypoints => false;

    /// <summary>Training: one generator per image of the next batch, in batch order, for that image's random samples
    /// (RPN anchors, RoIs, masks to train); null uses torch's global one. Per image, so that an image is sampled alike
    /// whichever batch or process it is trained in (<see cref="Engine.SamplingSeeds"/>).</summary>
    public IReadOnlyList<Generator>? SamplingGenerators { get; set; }

    /// <summary>Training: the losses by name (to be summed), for images batched as <paramref name="images"/> with one
    /// target per image in the network input's coordinates.</summary>
    public abstract Dictionary<string, Tensor> Losses(ImageList images, IReadOnlyList<BoxList> targets);

    /// <summary>Inference: per image, the detections in <paramref name="originalSizes"/>' coordinates, with
    /// <see cref="BoxFields.Labels"/> (1..K), <see cref="BoxFields.Scores"/> and, when <see cref="HasMasks"/>,
    /// <see cref="BoxFields.Masks"/> at full image size, and when <see cref="HasKeypoints"/> the keypoints and their scores.</summary>
    public abstract List<BoxList> Detect(ImageList images, IReadOnlyList<ImageSize> originalSizes);

    /// <summary>Whether a weight of this name (our naming, which is maskrcnn-benchmark's) is sized by the class count:
    /// weights of another class count leave such a layer untrained.</summary>
    public abstract bool IsClassSpecific(string weightName);

    /// <summary>Eval mode with the frozen batch norms folded into their convolutions (call again after loading weights;
    /// <c>train()</c> and moving the model drop the folded copy).</summary>
    public Detector PrepareForInference()
    {
        eval();
        IInferenceFusable.Apply(this, fuse: true);
        return this;
    }
}
