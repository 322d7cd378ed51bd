using MaskRcnn.Config;
using MaskRcnn.Data;

namespace MaskRcnn.Inference;

/// <summary>An image file to run: where it is, and its path relative to the folder it was found in (its file name
/// when named directly), which its outputs mirror.</summary>
public sealed record ImageInput(string Path, string RelativePath);

/// <summary>
/// The image files named by a command line's inputs: files as given (whatever their extension: decoding decides),
/// and in folders the files with an image extension (<see cref="ImageDecoder.Extensions"/>), sorted by relative path,
/// in subfolders too when recursive. Hidden files are passed over, and so is anything under the output folder, so
/// that a second run does not read the first one's overlays. A file named twice is run once. A missing input, or no
/// image at all, is a one-line error.
/// </summary>
public static class ImageInputs
{
    public static IReadOnlyList<ImageInput> Find(IReadOnlyList<string> inputs, bool recursive, string? outputDir = null)
    {
        if (inputs.Count == 0) throw new ConfigException("no input: name image files or folders");
        var outputRoot = outputDir is null ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(outputDir)) + Path.DirectorySeparatorChar;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var found = new List<ImageInput>();
        foreach (var input in inputs)
        {
            if (File.Exists(input))
            {
                if (seen.Add(Path.GetFullPath(input))) found.Add(new ImageInput(input, Path.GetFileName(input)));
            }
            else if (Directory.Exists(input))
            {
                var options = new EnumerationOptions
                {
                    RecurseSubdirectories = recursive,
                    IgnoreInaccessible = true,
                    AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
                };
                var files = Directory.EnumerateFiles(input, "*", options)
                    .Where(f => ImageDecoder.Extensions.Contains(Path.GetExtension(f)))
                    .Where(f => outputRoot is null || !Path.GetFullPath(f).StartsWith(outputRoot, StringComparison.Ordinal))
                    .Select(f => new ImageInput(f, Path.GetRelativePath(input, f)))
                    .OrderBy(i => i.RelativePath, StringComparer.Ordinal);
                foreach (var file in files)
                    if (seen.Add(Path.GetFullPath(file.Path))) found.Add(file);
            }
            else throw new ConfigException($"input not found: {input}");
        }
        if (found.Count == 0)
            throw new ConfigException($"no images ({string.Join(", ", ImageDecoder.Extensions.Order().Select(e => e[1..]))}) in " +
                                      $"{string.Join(", ", inputs)}{(recursive ? "" : " (subfolders not searched)")}");
        return found;
    }
}
