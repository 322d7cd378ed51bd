using System.Text.Json;
using MaskRcnn.Structures;

namespace MaskRcnn.Data.Coco;

/// <summary>The JSON plumbing every COCO file shares: reading a document with one-line errors naming the file, and
/// writing boxes and run-length masks the way pycocotools writes them.</summary>
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

    /// <summary><c>"bbox": [x, y, w, h]</c>, each number at full precision.</summary>
    public static void WriteBbox(Utf8JsonWriter json, CocoBox box)
    {
        json.WriteStartArray("bbox");
        json.WriteNumberValue(box.X);
        json.WriteNumberValue(box.Y);
        json.WriteNumberValue(box.Width);
        json.WriteNumberValue(box.Height);
        json.WriteEndArray();
    }

    /// <summary><c>"segmentation": {"size": [h, w], "counts": "…"}</c>, compressed RLE as pycocotools writes it.</summary>
    public static void WriteRle(Utf8JsonWriter json, Rle rle)
    {
        json.WriteStartObject("segmentation");
        json.WriteStartArray("size");
        json.WriteNumberValue(rle.Height);
        json.WriteNumberValue(rle.Width);
        json.WriteEndArray();
        json.WriteString("counts", rle.ToCompressedString());
        json.WriteEndObject();
    }
}
