using MaskRcnn.Config;
using MaskRcnn.IO;

namespace MaskRcnn.Inference;

/// <summary>
/// Where an input image's outputs go, relative to the output folder: the overlay at the input's own relative path
/// (JPEG inputs keep their extension, every other input becomes .png: lossless, and any SkiaSharp can write it) and,
/// when masks are saved, the instance mask image beside it as <c>NAME.masks.png</c>. Every input gets a name of its own
/// (its relative path without the extension): when two would share one (the same relative path under two input
/// folders, or a.png beside a.jpg) the later takes the first free suffix _1, _2, … in input order, compared
/// case-insensitively so that outputs also stay apart on Windows and macOS file systems. No output may land on an
/// input (<see cref="RefuseOverwritingInputs"/>).
/// </summary>
public sealed record PredictionOutputs(string Overlay, string? Masks)
{
    public const string PredictionsFileName = "predictions.json";

    public static IReadOnlyList<PredictionOutputs> Assign(IReadOnlyList<ImageInput> inputs, bool withMasks)
    {
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var outputs = new List<PredictionOutputs>(inputs.Count);
        foreach (var input in inputs)
        {
            var relative = input.RelativePath.Replace('\\', '/');
            var extension = Path.GetExtension(relative);
            var stem = relative[..^extension.Length];
            var name = stem;
            for (int k = 1; !taken.Add(name); k++) name = $"{stem}_{k}";
            var overlayExtension = extension.ToLowerInvariant() is ".jpg" or ".jpeg" ? extension : ".png";
            outputs.Add(new PredictionOutputs(name + overlayExtension, withMasks ? name + ".masks.png" : null));
        }
        return outputs;
    }

    /// <summary>
    /// Refuses, before anything is written, an output folder where some output (an overlay, a mask image or
    /// predictions.json) would overwrite an input, however the input was found: files named directly inside the output
    /// folder (<c>--input *.jpg --output .</c>), an output folder that is a link to the inputs' folder, an output that
    /// is a link to an input. Real paths are compared (<see cref="RealPath"/>).
    /// </summary>
    public static void RefuseOverwritingInputs(IReadOnlyList<ImageInput> inputs, IReadOnlyList<PredictionOutputs> outputs, string outputDir)
    {
        var inputAt = new Dictionary<string, ImageInput>(RealPath.Comparer);
        foreach (var input in inputs) inputAt.TryAdd(RealPath.Of(input.Path), input);
        var root = RealPath.Of(outputDir);
        IEnumerable<string> written = [PredictionsFileName, .. outputs.SelectMany(o => o.Masks is { } masks ? [o.Overlay, masks] : new[] { o.Overlay })];
        foreach (var name in written)
            if (inputAt.TryGetValue(RealPath.Of(Path.Combine(root, name)), out var input))
                throw new ConfigException($"output folder {outputDir}: writing {name} there would overwrite the input {input.Path}; " +
                                          "choose an output folder apart from the inputs");
    }
}
