using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.SafeTensors;

namespace MaskRcnn.Checkpoint;

/// <summary>
/// File-to-file renaming behind <c>maskrcnn convert</c>: any known scheme to our checkpoint format, or our names
/// to torchvision's. Tensors keep their stored dtypes; only names change. Checkpoint extras are not carried over.
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

    public static ConversionReport Convert(string input, string output, WeightScheme? from, WeightScheme to, bool allowUnknown = false)
    {
        if (to == WeightScheme.MaskRcnnBenchmark)
            throw new ArgumentException($"convert writes {WeightSchemeNames.MaskRcnn} or {WeightSchemeNames.Torchvision} names; maskrcnn-benchmark's are ours (--to {WeightSchemeNames.MaskRcnn})");
        using var converted = WeightNameConverter.ToOurs(input, SafeTensorsFile.Load(input), from);
        var unknown = converted.OfKind(NameMappingKind.Unknown).Select(m => m.Source).ToList();
        if (unknown.Count > 0 && !allowUnknown)
            throw new WeightFileException($"{input}: {unknown.Count} of {converted.Mappings.Count} names are not {converted.Scheme.Name()} names this tool maps: " +
                string.Join(", ", unknown.Take(4)) + (unknown.Count > 4 ? $", and {unknown.Count - 4} more" : "") + "; nothing written (--allow-unknown writes the rest)");
        if (converted.Weights.Count == 0) throw new WeightFileException($"{input}: no model weights to write");
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
            using var torchvision = TorchvisionExport.FromOurs(input, converted.Weights);
            exported = ourNames.Select(n => NameMapping.To(n, TorchvisionNames.FromOurs(n)!)).ToList();
            added = torchvision.Names.Skip(ourNames.Count).Order(StringComparer.Ordinal).ToList();
            written = torchvision.Count;
            SafeTensorsWriter.Write(output, torchvision);
        }
        return new ConversionReport(input, output, converted.Scheme, to, converted.Mappings, exported, added, written);
    }
}
