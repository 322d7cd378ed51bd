using MaskRcnn.SafeTensors;
using static TorchSharp.torch;

namespace MaskRcnn.WeightFiles;

/// <summary>A safetensors file seen as an <see cref="IWeightFile"/>.</summary>
sealed class SafeTensorsWeightFile(SafeTensorsFile file) : IWeightFile
{
    public string Path => file.Path;
    public string Format => "safetensors";
    public IReadOnlyList<WeightEntry> Entries { get; } = file.Tensors.Select(t => new WeightEntry(t.Name, t.Shape, t.Type)).ToList();
    public IReadOnlyDictionary<string, string> Metadata => file.Metadata;
    public Tensor Read(string name) => file.Read(name);
    public void Dispose() => file.Dispose();
}
