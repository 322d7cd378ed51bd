using System.Globalization;
using System.Text.RegularExpressions;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.IO;
using MaskRcnn.SafeTensors;
using MaskRcnn.Solver;
using MaskRcnn.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Checkpoint;

/// <summary>
/// maskrcnn-benchmark's <c>utils/checkpoint.py</c> for training: <see cref="Save"/> writes
/// <c>OUTPUT_DIR/model_{iteration:D7}.safetensors</c> with the model's weights, SGD's momentum buffers, the
/// iteration (all the schedule needs: <see cref="Solver.LrSchedule"/> is a function of it), torch's CPU RNG
/// state, the given generator's state, the data loader's seed, the model's <see cref="ModelIdentity"/> and the training
/// dataset's categories (<see cref="CheckpointCategories"/>, when given); then it
/// points <c>OUTPUT_DIR/last_checkpoint</c> at it. Both writes are atomic and in that order, so a crash at any moment
/// leaves the pointer naming a complete file; a state holding NaN or infinity is never written. Once the new file and
/// the pointer are in place, periodic checkpoints beyond the newest <paramref name="checkpointsToKeep"/> are deleted
/// (0 keeps all; never <c>model_final</c>, never the one the pointer names). <see cref="LoadLatest"/> restores all of
/// it from the file the pointer names, refusing a checkpoint of another model.
/// </summary>
public sealed partial class Checkpointer(nn.Module model, SGD optimizer, string outputDir, Generator? generator = null, int? dataLoaderSeed = null,
    int checkpointsToKeep = 0, IReadOnlyDictionary<string, string>? modelIdentity = null, Action<string>? note = null,
    IReadOnlyList<CheckpointCategory>? categories = null)
{
    public const string LastCheckpointFileName = "last_checkpoint";
    public const string FinalFileName = "model_final.safetensors";

    const string MomentumPrefix = "optimizer/momentum_buffer/";
    const string TorchRngName = "rng/torch_cpu", GeneratorRngName = "rng/generator";
    const string OptimizerKey = "optimizer", DataSeedKey = "data_loader/seed", ModelIdentityKey = "config/model";

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
            // A checkpoint is what a run resumes from: one holding NaN or inf would poison every resume.
            var weights = model.state_dict();
            if (NonFinite.First(weights.Select(kv => (kv.Key, kv.Value)).Concat(tensors.Select(kv => (kv.Key, kv.Value)))) is { } bad)
                throw new TrainingDivergedException($"after iteration {iteration}: {bad} holds NaN or infinity; not writing {path}. {Intact()}");
            owned.Add(tensors[TorchRngName] = torch.get_rng_state());
            if (generator is not null) owned.Add(tensors[GeneratorRngName] = generator.get_state());
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [OptimizerKey] = nameof(SGD) };
            if (dataLoaderSeed is { } seed) metadata[DataSeedKey] = seed.ToString(CultureInfo.InvariantCulture);
            if (modelIdentity is not null) metadata[ModelIdentityKey] = ModelIdentity.Serialize(modelIdentity);
            CheckpointFile.SaveWeights(path, weights, new CheckpointExtras { Iteration = iteration, Tensors = tensors, Metadata = metadata },
                categories is null ? null : CheckpointCategories.Metadata(categories));
            // Only once the checkpoint is complete on disk; relative, so the output folder can move.
            AtomicFile.WriteAllText(LastCheckpointPath, fileName);
        }
        catch (Exception e) when (NoSpaceLeftException.IsNoSpace(e))
        {
            throw new NoSpaceLeftException($"no space left on OUTPUT_DIR {OutputDir} while writing {fileName} ({e.Message}). {Intact()} " +
                                           "Free some space and run the same command again to resume.", e);
        }
        finally
        {
            foreach (var t in owned) t.Dispose();
        }
        RemoveOldCheckpoints();
        return path;
    }

    /// <summary>What the pointer names now, for messages after a failed save.</summary>
    string Intact()
    {
        try
        {
            return LatestPath() is { } latest ? $"{LastCheckpointFileName} still names {latest}, which is complete." : "No checkpoint was written yet.";
        }
        catch (RunStateException e)
        {
            return e.Message;
        }
    }

    /// <summary>Deletes periodic checkpoints beyond the newest <c>checkpointsToKeep</c> (by write time, so that a run
    /// started over in the folder outlives the old run's files); never the one the pointer names, never model_final.</summary>
    void RemoveOldCheckpoints()
    {
        if (checkpointsToKeep <= 0) return;
        var current = LatestPath();
        var periodic = Directory.EnumerateFiles(OutputDir, "model_*.safetensors")
            .Where(f => PeriodicName().IsMatch(Path.GetFileName(f)))
            .Select(f => new FileInfo(f))
            .OrderByDescending(f => f.LastWriteTimeUtc).ThenByDescending(f => f.Name, StringComparer.Ordinal)
            .ToList();
        foreach (var old in periodic.Skip(checkpointsToKeep))
        {
            if (current is not null && Path.GetFullPath(current) == old.FullName) continue;
            try
            {
                old.Delete();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                note?.Invoke($"warning: could not delete the old checkpoint {old.FullName}: {e.Message}");
            }
        }
    }

    [GeneratedRegex(@"^model_[0-9]{7,}\.safetensors$")]
    private static partial Regex PeriodicName();

    /// <summary>The file <c>last_checkpoint</c> names, or null when there is none (a fresh run).</summary>
    public string? LatestPath() => LatestIn(OutputDir);

    /// <summary>The file <c>OUTPUT_DIR/last_checkpoint</c> names, or null when there is no pointer. A pointer that is
    /// empty, unreadable or names a missing file is a <see cref="RunStateException"/>, never a fresh start (which would
    /// overwrite the run's checkpoints); <paramref name="otherwise"/> ends the message with the way out. Static so that
    /// inference finds a run's newest weights without an optimizer.</summary>
    public static string? LatestIn(string outputDir, string otherwise = "or delete it")
    {
        var pointer = Path.Combine(outputDir, LastCheckpointFileName);
        if (!Path.Exists(pointer)) return null;
        string named;
        try
        {
            named = File.ReadAllText(pointer).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunStateException($"{pointer} cannot be read ({e.Message}); {Remedy(outputDir, otherwise)}");
        }
        if (named.Length == 0 || named.Any(char.IsControl) || named.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
            throw new RunStateException($"{pointer} is {(named.Length == 0 ? "empty" : "torn (not a file name)")}; {Remedy(outputDir, otherwise)}");
        // maskrcnn-benchmark writes the full path; ours is relative to the output folder. Both read.
        var path = Path.IsPathRooted(named) ? named : Path.Combine(outputDir, named);
        return File.Exists(path) ? path
            : throw new RunStateException($"{pointer} names {named}, which does not exist; {Remedy(outputDir, otherwise)}");
    }

    /// <summary>How to mend a broken pointer: write the newest checkpoint's name into it (the one found here, if any).</summary>
    static string Remedy(string outputDir, string otherwise)
    {
        var newest = Directory.Exists(outputDir)
            ? Directory.EnumerateFiles(outputDir, "model_*.safetensors").Select(f => new FileInfo(f)).MaxBy(f => f.LastWriteTimeUtc)
            : null;
        return $"it should name the run's newest checkpoint{(newest is null ? "" : $" (the newest here is {newest.Name})")}: write that name into it, {otherwise}";
    }

    /// <summary>Restores model, momentum buffers, RNG state and iteration from the latest checkpoint; null when there is none.
    /// A checkpoint of another model (its <see cref="ModelIdentity"/> differs from this config's) is refused before
    /// anything is changed.</summary>
    public ResumePoint? LoadLatest()
    {
        if (LatestIn(OutputDir, "or train with --no-resume to start over (overwriting this run's checkpoints)") is not { } path) return null;
        CheckSameModel(path);
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

    void CheckSameModel(string path)
    {
        if (modelIdentity is null) return;
        string? saved;
        using (var file = SafeTensorsFile.Open(path))
            file.Metadata.TryGetValue(CheckpointFormat.ExtraPrefix + ModelIdentityKey, out saved);
        // Checkpoints written before identities were saved: the weights' names and shapes are still checked as they load.
        if (saved is null || ModelIdentity.Parse(saved) is not { } identity) return;
        var differences = ModelIdentity.Differences(identity, modelIdentity);
        if (differences.Count > 0)
            throw new RunStateException($"{path} is a checkpoint of another model ({string.Join("; ", differences)}): resuming would change the model. " +
                                        "Train into a new OUTPUT_DIR, or with --no-resume to start over here (overwriting this run's checkpoints)");
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
