using MaskRcnn.SafeTensors;
using static TorchSharp.torch;

namespace MaskRcnn.Checkpoint.Naming;

/// <summary>Renames a state dict from a scheme to ours, recording what happened to every name.</summary>
public static class WeightNameConverter
{
    public static NameMapping ToOurs(WeightScheme scheme, string name) => scheme switch
    {
        WeightScheme.MaskRcnn => NameMapping.To(name, name),
        WeightScheme.MaskRcnnBenchmark => MaskRcnnBenchmarkNames.ToOurs(name),
        WeightScheme.Torchvision => TorchvisionNames.ToOurs(name),
        WeightScheme.Yolact => YolactNames.ToOurs(name),
        WeightScheme.Caffe2 => Caffe2Names.ToOurs(name),
        WeightScheme.Detectron2 => Detectron2Names.ToOurs(name),
        _ => throw new ArgumentOutOfRangeException(nameof(scheme)),
    };

    /// <summary>
    /// The renaming of one file's names. Caffe2 and detectron2 backbone names need the file or the model: res5 belongs
    /// to the box head in C4 models (<see cref="Res5Placement"/>); <paramref name="res5InBoxHead"/> says so, or, when
    /// null, the file does (<see cref="Caffe2Names.FileHasRes5InBoxHead"/>; detectron2's C4 models name their box
    /// head's res5 themselves, so its other res5 names stay in the backbone).
    /// </summary>
    public static Func<string, NameMapping> ForFile(WeightScheme scheme, IReadOnlyCollection<string> names, bool? res5InBoxHead = null)
    {
        switch (scheme)
        {
            case WeightScheme.Caffe2:
                var caffe2InBoxHead = res5InBoxHead ?? Caffe2Names.FileHasRes5InBoxHead(names);
                return name => Caffe2Names.ToOurs(name, caffe2InBoxHead);
            case WeightScheme.Detectron2:
                var detectron2InBoxHead = res5InBoxHead ?? false;
                return name => Detectron2Names.ToOurs(name, detectron2InBoxHead);
            default:
                return name => ToOurs(scheme, name);
        }
    }

    /// <summary>
    /// Consumes <paramref name="source"/>: its tensors under our names go into the result (which owns them);
    /// ignored and unknown ones are disposed (<see cref="MappedNames.Of"/> says which are which).
    /// </summary>
    public static ConvertedWeights ToOurs(string path, StateDict source, WeightScheme? scheme = null)
    {
        var entries = source.Release();
        var result = new StateDict(source.Metadata);
        MappedNames mapped;
        try
        {
            mapped = MappedNames.Of(path, entries.Select(e => e.Key).ToList(), source.Metadata, scheme);
            var tensors = entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            foreach (var mapping in mapped.Mappings)
                if (mapping.Target is { } target) result.Add(target, tensors[mapping.Source]);
        }
        catch
        {
            result.Release();
            foreach (var (_, tensor) in entries) tensor.Dispose();
            throw;
        }
        var kept = new HashSet<Tensor>(result.Select(e => e.Value), ReferenceEqualityComparer.Instance);
        foreach (var (_, tensor) in entries)
            if (!kept.Contains(tensor)) tensor.Dispose();
        return new ConvertedWeights(path, mapped.Scheme, result, mapped.Mappings);
    }
}
