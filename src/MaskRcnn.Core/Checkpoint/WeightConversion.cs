using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.SafeTensors;
using MaskRcnn.WeightFiles;

namespace MaskRcnn.Checkpoint;

/// <summary>
/// File-to-file renaming behind <c>maskrcnn convert</c>: any known scheme to our checkpoint format, or our names
/// to torchvision's or dbolya/yolact's. Tensors keep their stored dtypes; only names change. Checkpoint extras are not carried over.
/// Names the scheme's map does not know stop the conversion unless <c>allowUnknown</c>: a partial file would
/// only fail later, at loading, further from the cause.
/// </summary>
public static class WeightConversion
{
    /// <summary>What using torchvision's weights in a maskrcnn-benchmark model needs from the config.</summary>
    public const string TorchvisionConfigNote =
        "torchvision's ResNet strides in its 3x3 convolutions and expects RGB input in [0, 1] normalised by ImageNet statistics: " +
        "use MODEL.RESNETS.STRIDE_IN_1X1 False, INPUT.TO_BGR255 False, INPUT.PIXEL_MEAN (0.485, 0.456, 0.406), INPUT.PIXEL_STD (0.229, 0.224, 0.225); " +
        "its COCO predictors have 91 outputs indexed by COCO category id";

    /// <summary>What using dbolya/yolact's weights needs from the config (its data/config.py: resnet_transform, MEANS, STD, yolact_base).</summary>
    public const string YolactConfigNote =
        "dbolya/yolact's ResNet strides in its 3x3 convolutions and expects RGB input squashed to 550x550, normalised by mean (123.68, 116.78, 103.94) " +
        "and std (58.40, 57.12, 57.38) on the 0-255 scale: use MODEL.RESNETS.STRIDE_IN_1X1 False, INPUT.TO_BGR255 False, " +
        "INPUT.PIXEL_MEAN (0.4850, 0.4580, 0.4076), INPUT.PIXEL_STD (0.2290, 0.2240, 0.2250), INPUT.SQUASH_SIZE 550; " +
        "its published COCO weights have 81 classes (MODEL.YOLACT.NUM_CLASSES 81) and need MODEL.YOLACT.SQUARE_ANCHORS True";

    public static ConversionReport Convert(string input, string output, WeightScheme? from, WeightScheme to, bool allowUnknown = false)
    {
        if (to == WeightScheme.MaskRcnnBenchmark)
            throw new ArgumentException($"convert writes {WeightSchemeNames.MaskRcnn}, {WeightSchemeNames.Torchvision} or {WeightSchemeNames.Yolact} names; " +
                $"maskrcnn-benchmark's are ours (--to {WeightSchemeNames.MaskRcnn})");
        using var converted = WeightNameConverter.ToOurs(input, WeightFile.ReadAll(input), from);
        var unknown = converted.OfKind(NameMappingKind.Unknown).Select(m => m.Source).ToList();
        if (unknown.Count > 0 && !allowUnknown)
            throw new WeightFileException($"{input}: {unknown.Count} of {converted.Mappings.Count} names are not {converted.Scheme.Name()} names this tool maps: " +
                string.Join(", ", unknown.Take(4)) + (unknown.Count > 4 ? $", and {unknown.Count - 4} more" : "") + "; nothing written (--allow-unknown writes the rest)");
        if (converted.Weights.Count == 0) throw new WeightFileException($"{input}: no model weights to write");
        if (converted.Scheme == WeightScheme.Caffe2) AddFoldedStatistics(converted);
        var written = converted.Weights.Count;
        IReadOnlyList<NameMapping> exported = [];
        var added = new List<string>();
        if (to == WeightScheme.MaskRcnn)
        {
            CheckpointFile.SaveWeights(output, converted.Weights, provenance: new Dictionary<string, string>
            {
                [CheckpointFormat.ConvertedFromKey] = converted.Scheme.Name(),
            });
        }
        else
        {
            var ourNames = converted.Weights.Names.ToList();
            Func<string, string?> rename = to == WeightScheme.Yolact ? YolactNames.FromOurs : TorchvisionNames.FromOurs;
            using var theirs = to == WeightScheme.Yolact
                ? YolactExport.FromOurs(input, converted.Weights)
                : TorchvisionExport.FromOurs(input, converted.Weights);
            exported = ourNames.Select(n => NameMapping.To(n, rename(n)!)).ToList();
            added = theirs.Names.Skip(ourNames.Count).Order(StringComparer.Ordinal).ToList();
            written = theirs.Count;
            SafeTensorsWriter.Write(output, theirs);
        }
        return new ConversionReport(input, output, converted.Scheme, to, converted.Mappings, exported, added, written);
    }

    // Our checkpoints hold every model tensor: Caffe2's folded batch norms get the mean 0 and variance 1 loading would set.
    static void AddFoldedStatistics(ConvertedWeights converted)
    {
        foreach (var mapping in converted.Mappings)
            if (Caffe2Names.FoldedBatchNormStatistics(mapping) is var (mean, variance) && converted.Weights.TryGet(mapping.Target!, out var scale))
            {
                if (!converted.Weights.Contains(mean)) converted.Weights.Add(mean, TorchSharp.torch.zeros_like(scale));
                if (!converted.Weights.Contains(variance)) converted.Weights.Add(variance, TorchSharp.torch.ones_like(scale));
            }
    }
}
