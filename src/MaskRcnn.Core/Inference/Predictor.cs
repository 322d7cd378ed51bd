using MaskRcnn.Checkpoint;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.Config;
using MaskRcnn.Data.Transforms;
using MaskRcnn.Modeling;
using MaskRcnn.Modeling.MetaArch;
using MaskRcnn.Structures;
using MaskRcnn.Structures.Keypoints;
using MaskRcnn.Structures.Masks;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Inference;

/// <summary>
/// A configured model ready to detect: built from the config, weights loaded, in inference mode (eval, frozen batch
/// norms folded) on <c>MODEL.DEVICE</c>, with the test transform (resize to <c>INPUT.MIN_SIZE_TEST</c>/<c>MAX_SIZE_TEST</c>,
/// or to the <c>INPUT.SQUASH_SIZE</c> square; normalisation) and batches padded to <c>DATALOADER.SIZE_DIVISIBILITY</c>. Results are in original image
/// coordinates, on the CPU. Use from one thread at a time.
/// </summary>
public sealed class Predictor : IDisposable
{
    readonly DetectionTransform transform;
    readonly TestTimeAugmentation? augmentation;

    Predictor(MaskRcnnConfig cfg, Detector model, string? weightsPath, LoadReport? weights)
    {
        if (cfg.Model.ProposalsOnly)
            throw new ConfigNotSupportedException("MODEL.RPN_ONLY", "detections from a proposals-only model (it has no classes or scores)", null);
        Config = cfg;
        Model = model;
        WeightsPath = weightsPath;
        LoadReport = weights;
        Device = ModelDevice.Resolve(cfg.Model.Device);
        transform = DetectionTransform.ForTesting(cfg);
        augmentation = cfg.Test.BboxAug.Enabled ? new TestTimeAugmentation(cfg, model) : null;
        // Moving drops folded batch norms, so fold after.
        model.to(Device);
        model.PrepareForInference();
    }

    /// <summary>Builds the configured model and loads its weights: <paramref name="weights"/> if given, else as
    /// <see cref="InferenceWeights.Resolve"/> finds them. Weights that leave a class-specific layer uninitialised
    /// (another number of classes) are refused: that layer's outputs would be random.</summary>
    public static Predictor Load(MaskRcnnConfig cfg, string? weights = null, TextWriter? log = null)
    {
        var path = InferenceWeights.Resolve(cfg, weights);
        var device = ModelDevice.Resolve(cfg.Model.Device);
        var model = ModelBuilder.Build(cfg);
        try
        {
            model.to(device);
            var report = ModelWeights.Load(model, path, cfg, log)!;
            if (report.BodyOnly)
                throw new ConfigException($"{path}: holds only backbone weights (ImageNet classification), not a detector; " +
                                          "train from it (MODEL.WEIGHT) and predict with the trained checkpoint");
            var uninitialised = report.Skipped.Select(m => m.ToString())
                .Concat(report.LeftInitialised.Where(model.IsClassSpecific).Select(n => $"{n}: not in the file")).ToList();
            if (uninitialised.Count > 0)
                throw new ConfigException($"{path}: weights do not fit {cfg.Model.NumClassesKey} {model.NumClasses}: " +
                                          $"{string.Join("; ", uninitialised.Take(2))}{(uninitialised.Count > 2 ? $" (and {uninitialised.Count - 2} more)" : "")}");
            return new Predictor(cfg, model, path, report);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Wraps a model built (and loaded) elsewhere: it is moved to <c>MODEL.DEVICE</c> and prepared for inference.
    /// The predictor owns it from now on.</summary>
    public static Predictor FromModel(MaskRcnnConfig cfg, Detector model) => new(cfg, model, null, null);

    public MaskRcnnConfig Config { get; }
    public Detector Model { get; }
    public Device Device { get; }

    /// <summary>The weight file loaded, or null for a model handed over by <see cref="FromModel"/>.</summary>
    public string? WeightsPath { get; }

    /// <summary>What loading the weights did, with the file's scheme and metadata (<see cref="CategoryResolution"/> reads
    /// the class names there); null for a model handed over by <see cref="FromModel"/>.</summary>
    public LoadReport? LoadReport { get; }

    /// <summary>Whether detections carry masks (Mask R-CNN), or only boxes (Faster R-CNN, or any model under
    /// test-time augmentation, which is for boxes only).</summary>
    public bool HasMasks => Model.HasMasks;

    /// <summary>Whether detections carry person keypoints (Keypoint R-CNN).</summary>
    public bool HasKeypoints => Model.HasKeypoints;

    /// <summary>The test-time augmentation in use (<c>TEST.BBOX_AUG.ENABLED</c>), or null.</summary>
    public TestTimeAugmentation? Augmentation => augmentation;

    /// <summary>
    /// Detects objects in [3,H,W] uint8 RGB images (any device, any sizes), run as one padded batch. Per image, a box
    /// list of that image's own size (boxes xyxy in its pixels) with <see cref="BoxFields.Labels"/> (contiguous
    /// 1..K), <see cref="BoxFields.Scores"/>, for Mask R-CNN <see cref="BoxFields.Masks"/> (<see cref="BitMasks"/>
    /// at full image size, probabilities thresholded at 0.5), and for Keypoint R-CNN <see cref="BoxFields.Keypoints"/>
    /// and <see cref="BoxFields.KeypointScores"/>, all on the CPU. With <c>TEST.BBOX_AUG.ENABLED</c>, the
    /// detections of <see cref="TestTimeAugmentation"/>. The returned tensors belong to the
    /// caller's dispose scope; everything else made here is freed before returning.
    /// </summary>
    public IReadOnlyList<BoxList> Predict(IReadOnlyList<Tensor> rgbImages)
    {
        if (rgbImages.Count == 0) return [];
        foreach (var image in rgbImages)
            if (image.dim() != 3 || image.shape[0] != 3 || image.dtype != ScalarType.Byte)
                throw new ArgumentException($"images must be [3,H,W] uint8 RGB, got [{string.Join(",", image.shape)}] {image.dtype}");
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var originals = rgbImages.Select(i => new ImageSize((int)i.shape[1], (int)i.shape[2])).ToList();
        if (augmentation is not null)
            return augmentation.Detect(rgbImages.Select(i => i.to(Device)).ToList(), originals).Select(d => OnCpu(d).MoveToOuterDisposeScope()).ToList();
        var rng = new Random(0); // the test transform draws nothing; Apply takes a generator for training's sake
        var inputs = rgbImages.Select(i => transform.Apply(i.to(Device), null, rng).Image).ToList();
        var batch = ImageList.FromImages(inputs, Config.DataLoader.SizeDivisibility);
        return Model.Detect(batch, originals).Select(d => OnCpu(d).MoveToOuterDisposeScope()).ToList();
    }

    /// <summary>Just the result fields, on the CPU (the pasted masks included; the raw mask probabilities left behind).</summary>
    BoxList OnCpu(BoxList detections)
    {
        var result = new BoxList(detections.Boxes.cpu(), detections.Size)
            .With(BoxFields.Labels, detections.Field(BoxFields.Labels).cpu())
            .With(BoxFields.Scores, detections.Field(BoxFields.Scores).cpu());
        if (detections.Has(BoxFields.Masks))
            result = result.With(BoxFields.Masks, new BitMasks(detections.Field<BitMasks>(BoxFields.Masks).Tensor.cpu()));
        if (detections.Has(BoxFields.Keypoints))
        {
            var keypoints = detections.Field<PersonKeypoints>(BoxFields.Keypoints);
            result = result.With(BoxFields.Keypoints, new PersonKeypoints(keypoints.Tensor.cpu(), keypoints.Size))
                .With(BoxFields.KeypointScores, detections.Field(BoxFields.KeypointScores).cpu());
        }
        return result;
    }

    public void Dispose() => Model.Dispose();
}
