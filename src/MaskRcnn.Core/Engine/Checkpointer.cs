using System.Globalization;
using MaskRcnn.Checkpoint;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Engine;

/// <summary>
/// maskrcnn-benchmark's <c>utils/checkpoint.py</c> for training: <see cref="Save"/> writes
/// <c>OUTPUT_DIR/model_{iteration:D7}.safetensors</c> with the model's weights, SGD's momentum buffers, the
/// iteration (all the schedule needs: <see cref="Solver.LrSchedule"/> is a function of it), torch's CPU RNG
/// state, the given generator's state and the data loader's seed; then it points <c>OUTPUT_DIR/last_checkpoint</c>
/// at it. Both writes are atomic and in that order, so a crash at any moment leaves the pointer naming a
/// complete file. <see cref="LoadLatest"/> restores all of it from the file the pointer names.
/// </summary>
public sealed class Checkpointer(nn.Module model, SGD optimizer, string outputDir, Generator? generator = null, int? dataLoaderSeed = null)
{
    public const string LastCheckpointFileName = "last_checkpoint";
    public const string FinalFileName = "model_final.safetensors";

    const string MomentumPrefix = "optimizer/momentum_buffer/";
    const string TorchRngName = "rng/torch_cpu", GeneratorRngName = "rng/generator";
    const string OptimizerKey = "optimizer", DataSeedKey = "data_loader/seed";

    public string OutputDir { get; } = outputDir;
    public string LastCheckpointPath => Path.Combine(OutputDir, LastCheckpointFileName);

    public static string FileNameFor(long iteration) => $"model_{iteration.ToString("D7", CultureInfo.InvariantCulture)}.safetensors";

    /// <summary>Saves the training state after <paramref name="iteration"/> steps; returns the file written.</summary>
    public string Save(long iteration) => SaveAs(FileNameFor(iteration), iteration);

    /// <summary>maskrcnn-benchmark's <c>model_final</c>: the same content, and the pointer names it.</summary>
    public string SaveFinal(long iteration) => SaveAs(FinalFileName, iteration);

    string SaveAs(string fileName, long iteration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        Directory.CreateDirectory(OutputDir);
        var path = Path.Combine(OutputDir, fileName);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var owned = new List<Tensor>();
        try
        {
            foreach (var (name, _, state) in NamedStates())
                if (state.momentum_buffer is { } buffer) tensors[MomentumPrefix + name] = buffer;
            owned.Add(tensors[TorchRngName] = torch.get_rng_state());
            if (generator is not null) owned.Add(tensors[GeneratorRngName] = generator.get_state());
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [OptimizerKey] = nameof(SGD) };
            if (dataLoaderSeed is { } seed) metadata[DataSeedKey] = seed.ToString(CultureInfo.InvariantCulture);
            CheckpointFile.Save(path, model, new CheckpointExtras { Iteration = iteration, Tensors = tensors, Metadata = metadata });
        }
        finally
        {
            foreach (var t in owned) t.Dispose();
        }
        // Only once the checkpoint is complete on disk; relative, so the output folder can move.
        AtomicFile.WriteAllText(LastCheckpointPath, fileName);
        return path;
    }

    /// <summary>The file <c>last_checkpoint</c> names, or null when there is none (a fresh run).</summary>
    public string? LatestPath() => LatestIn(OutputDir);

    /// <summary>The file <c>OUTPUT_DIR/last_checkpoint</c> names, or null when there is none; a pointer to a missing file
    /// is an error. Static so that inference finds a run's newest weights without an optimizer.</summary>
    public static string? LatestIn(string outputDir)
    {
        var pointer = Path.Combine(outputDir, LastCheckpointFileName);
        if (!File.Exists(pointer)) return null;
        var named = File.ReadAllText(pointer).Trim();
        if (named.Length == 0) return null;
        // maskrcnn-benchmark writes the full path; ours is relative to the output folder. Both read.
        var path = Path.IsPathRooted(named) ? named : Path.Combine(outputDir, named);
        return File.Exists(path) ? path
            : throw new WeightFileException($"{pointer} names {named}, which does not exist; delete {LastCheckpointFileName} to start afresh");
    }

    /// <summary>Restores model, momentum buffers, RNG state and iteration from the latest checkpoint; null when there is none.</summary>
    public ResumePoint? LoadLatest()
    {
        if (LatestPath() is not { } path) return null;
        using var loaded = CheckpointFile.Load(path, model);
        if (loaded.Iteration is not { } iteration) throw new WeightFileException($"{path}: a checkpoint without an iteration cannot resume training");
        if (!loaded.ExtraMetadata.TryGetValue(OptimizerKey, out var kind) || kind != nameof(SGD))
            throw new WeightFileException($"{path}: holds no SGD state (model weights only?); use it as MODEL.WEIGHT instead");
        RestoreMomentum(path, loaded.ExtraTensors);
        if (!loaded.ExtraTensors.TryGetValue(TorchRngName, out var torchRng)) throw new WeightFileException($"{path}: no {TorchRngName} state");
        torch.set_rng_state(torchRng);
        if (generator is not null)
        {
            if (!loaded.ExtraTensors.TryGetValue(GeneratorRngName, out var generatorRng))
                throw new WeightFileException($"{path}: saved without the training generator's state");
            generator.set_state(generatorRng);
        }
        int? seed = loaded.ExtraMetadata.TryGetValue(DataSeedKey, out var text) ? int.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : null;
        return new ResumePoint(path, iteration, seed, loaded.Report);
    }

    void RestoreMomentum(string path, IReadOnlyDictionary<string, Tensor> extras)
    {
        var states = NamedStates().ToDictionary(s => s.Name, s => s, StringComparer.Ordinal);
        // Check everything before changing anything.
        foreach (var (key, tensor) in extras)
        {
            if (!key.StartsWith(MomentumPrefix, StringComparison.Ordinal)) continue;
            var name = key[MomentumPrefix.Length..];
            if (!states.TryGetValue(name, out var s))
                throw new WeightFileException($"{path}: momentum for '{name}', which the optimizer does not train (frozen or absent)");
            if (!tensor.shape.SequenceEqual(s.Parameter.shape))
                throw new WeightFileException($"{path}: momentum for '{name}' has shape [{string.Join(", ", tensor.shape)}], the parameter [{string.Join(", ", s.Parameter.shape)}]");
        }
        using var _ = torch.no_grad();
        foreach (var (name, parameter, state) in states.Values)
        {
            state.momentum_buffer?.Dispose();
            state.momentum_buffer = null; // no buffer yet: SGD starts it from the next gradient, as before the save
            if (!extras.TryGetValue(MomentumPrefix + name, out var saved)) continue;
            var buffer = torch.empty_like(parameter);
            buffer.copy_(saved);
            state.momentum_buffer = buffer.DetachFromDisposeScope();
        }
    }

    /// <summary>SGD's per-parameter states under the model's parameter names.</summary>
    IEnumerable<(string Name, Parameter Parameter, SGD.State State)> NamedStates()
    {
        var names = model.named_parameters().ToDictionary(p => p.parameter.Handle, p => p.name);
        // TorchSharp lists states in the order of its groups' parameters, which is parameters()'s order.
        var states = optimizer.state_dict().State;
        var parameters = optimizer.parameters().ToList();
        if (states.Count != parameters.Count) throw new InvalidOperationException("SGD's state list does not match its parameters");
        for (var i = 0; i < parameters.Count; i++)
        {
            if (!names.TryGetValue(parameters[i].Handle, out var name))
                throw new InvalidOperationException("the optimizer trains a parameter that is not the model's");
            yield return (name, parameters[i], (SGD.State)states[i]);
        }
    }
}
