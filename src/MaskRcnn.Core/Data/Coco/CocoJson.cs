using System.Text.Json;

namespace MaskRcnn.Data.Coco;

/// <summary>Reading every COCO file starts here: a JSON document, with one-line errors naming the file
/// (<see cref="CocoWriter"/> writes them).</summary>
public static class CocoJson
{
    /// <summary>Parses <paramref name="path"/>; a missing file or malformed JSON is a <see cref="DataException"/>
    /// naming the file (and the line), <paramref name="what"/> saying what kind of file was expected.</summary>
    public static JsonDocument Load(string path, string what)
    {
        if (!File.Exists(path)) throw new DataException($"{what} not found: {path}");
        using var stream = File.OpenRead(path);
        try { return JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new DataException($"{path}: not valid JSON (line {e.LineNumber + 1}): {e.Message.Split(" Path:")[0]}"); }
    }
}
