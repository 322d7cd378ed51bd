using MaskRcnn.Config;
using MaskRcnn.Data;
using MaskRcnn.IO;

namespace MaskRcnn.Inference;

/// <summary>An image file to run: where it is, and its path relative to the folder it was found in (its file name
/// when named directly), which its outputs mirror.</summary>
public sealed record ImageInput(string Path, string RelativePath);

/// <summary>
/// The image files named by a command line's inputs: files as given (whatever their extension: decoding decides),
/// and in folders the files with an image extension (<see cref="ImageDecoder.Extensions"/>), sorted by relative path,
/// in subfolders too when recursive. Hidden files are passed over, and so is anything under the output folder, so
/// that a second run does not read the first one's overlays. Links are followed, but each real folder is searched
/// once (a link to "." or to a parent would otherwise repeat it without end), and a file reached twice (through a
/// link, or named by two inputs) is run once, as first reached. A missing input, or no image at all, is a one-line error.
/// </summary>
public static class ImageInputs
{
    public static IReadOnlyList<ImageInput> Find(IReadOnlyList<string> inputs, bool recursive, string? outputDir = null)
    {
        if (inputs.Count == 0) throw new ConfigException("no input: name image files or folders");
        var outputRoot = outputDir is null ? null : RealPath.Of(outputDir);
        var seenFiles = new HashSet<string>(RealPath.Comparer);
        var seenFolders = new HashSet<string>(RealPath.Comparer);
        var found = new List<ImageInput>();
        int inOutput = 0;
        foreach (var input in inputs)
        {
            if (File.Exists(input))
            {
                if (seenFiles.Add(RealPath.Of(input))) found.Add(new ImageInput(input, Path.GetFileName(input)));
            }
            else if (Directory.Exists(input))
            {
                var files = new List<(ImageInput Input, string Real)>();
                Search(input, "", recursive, seenFolders, files);
                foreach (var (file, real) in files.OrderBy(f => f.Input.RelativePath, StringComparer.Ordinal))
                {
                    if (outputRoot is not null && RealPath.IsUnder(real, outputRoot)) inOutput++;
                    else if (seenFiles.Add(real)) found.Add(file);
                }
            }
            else throw new ConfigException($"input not found: {input}");
        }
        if (found.Count == 0)
            throw new ConfigException($"no images ({string.Join(", ", ImageDecoder.Extensions.Order().Select(e => e[1..]))}) in " +
                                      $"{string.Join(", ", inputs)}{(recursive ? "" : " (subfolders not searched)")}" +
                                      (inOutput > 0 ? $" apart from {inOutput} under the output folder {outputDir}, passed over as earlier outputs" : ""));
        return found;
    }

    /// <summary>Adds the images of <paramref name="folder"/> (and with <paramref name="recursive"/> of its subfolders, in
    /// name order) unless its real path was searched before.</summary>
    static void Search(string folder, string relative, bool recursive, HashSet<string> seenFolders, List<(ImageInput, string)> files)
    {
        if (!seenFolders.Add(RealPath.Of(folder))) return;
        var options = new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };
        foreach (var file in Directory.EnumerateFiles(folder, "*", options).Where(f => ImageDecoder.Extensions.Contains(Path.GetExtension(f))))
            files.Add((new ImageInput(file, Path.Join(relative, Path.GetFileName(file))), RealPath.Of(file)));
        if (!recursive) return;
        foreach (var sub in Directory.EnumerateDirectories(folder, "*", options).Order(StringComparer.Ordinal))
            Search(sub, Path.Join(relative, Path.GetFileName(sub)), recursive, seenFolders, files);
    }
}
