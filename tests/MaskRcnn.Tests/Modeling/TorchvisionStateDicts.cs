using MaskRcnn.SafeTensors;
using TorchSharp;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Modeling;

/// <summary>torchvision 0.14's detection models' state dicts as names and shapes
/// (Fixtures/model/torchvision_state_dict_names.json, from scripts/dump_state_dict_names.py), and files of them filled
/// by <see cref="ReferenceWeights"/>' rule.</summary>
public static class TorchvisionStateDicts
{
    public static List<(string Name, long[] Shape)> Names(string model)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("model/torchvision_state_dict_names.json")));
        return doc.RootElement.GetProperty("models").GetProperty(model).EnumerateArray()
            .Select(e => (e[0].GetString()!, e[1].EnumerateArray().Select(d => d.GetInt64()).ToArray())).ToList();
    }

    /// <summary>Writes the model's state dict under torchvision's names as safetensors, values by the rule, step counters 0.</summary>
    public static void Write(string path, string model) =>
        SafeTensorsWriter.Write(path, Names(model).Select(t =>
            new KeyValuePair<string, Tensor>(t.Name, ReferenceWeights.Values(t.Name, t.Shape) ?? torch.zeros(t.Shape, ScalarType.Int64))).ToList());
}
