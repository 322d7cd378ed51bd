using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.SafeTensors;

namespace MaskRcnn.Checkpoint;

/// <summary>
/// The <see cref="CheckpointFormat.CategoriesKey"/> metadata: the categories a model was trained on, so that its labels
/// keep their names without the dataset. A JSON array in label order, <c>[{"id": 1, "name": "square"}, ...]</c>
/// (label 1 first, background not listed). Read from the file's header alone: no model, no tensor data.
/// </summary>
public static class CheckpointCategories
{
    public static string Serialize(IReadOnlyList<CheckpointCategory> categories)
    {
        using var buffer = new MemoryStream();
        // Names as written (no \uXXXX for accents or quotes): the header stays readable.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            foreach (var c in categories)
            {
                json.WriteStartObject();
                json.WriteNumber("id", c.Id);
                json.WriteString("name", c.Name);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The metadata entry that carries <paramref name="categories"/>, for <see cref="CheckpointFile.SaveWeights"/>.</summary>
    public static IReadOnlyDictionary<string, string> Metadata(IReadOnlyList<CheckpointCategory> categories) =>
        new Dictionary<string, string>(StringComparer.Ordinal) { [CheckpointFormat.CategoriesKey] = Serialize(categories) };

    /// <summary>The categories in <paramref name="metadata"/> (of the file <paramref name="path"/>, for messages), or null
    /// when it has none. A malformed value is a <see cref="WeightFileException"/> naming the file and the key.</summary>
    public static IReadOnlyList<CheckpointCategory>? Read(string path, IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(CheckpointFormat.CategoriesKey, out var text)) return null;
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Array) throw Malformed(path, "not a JSON array");
            var categories = new List<CheckpointCategory>();
            var ids = new HashSet<long>();
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                int index = categories.Count;
                if (e.ValueKind != JsonValueKind.Object
                    || !e.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.Number || !id.TryGetInt64(out var value) || value < 1
                    || !e.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString() is not { Length: > 0 } named)
                    throw Malformed(path, $"entry {index} is not {{\"id\": positive integer, \"name\": non-empty text}}");
                if (!ids.Add(value)) throw Malformed(path, $"category id {value} appears twice");
                categories.Add(new CheckpointCategory(value, named));
            }
            return categories.Count > 0 ? categories : throw Malformed(path, "the list is empty");
        }
        catch (JsonException e)
        {
            throw Malformed(path, $"not JSON ({e.Message.Split(" Path:")[0]})");
        }
    }

    /// <summary>The categories stored in the weight file <paramref name="path"/> (its header only), or null when it has none.</summary>
    public static IReadOnlyList<CheckpointCategory>? ReadFile(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        return Read(path, file.Metadata);
    }

    static WeightFileException Malformed(string path, string why) =>
        new($"{path}: metadata '{CheckpointFormat.CategoriesKey}' is malformed: {why}; expected a JSON array in label order, [{{\"id\": 1, \"name\": \"...\"}}, ...]");
}
