using MaskRcnn.Checkpoint;
using MaskRcnn.IO;
using MaskRcnn.Solver;
using MaskRcnn.Tests.Engine;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MaskRcnn.Tests.Checkpoint;

// Saves and restores torch's global generator, which parallel tests also draw from: runs alone.
[Collection(TrainingCollection.Name)]
public class CheckpointerTests
{
    const int N = 6;

    // Warm-up spans the save so the resumed run must get its lr from the iteration; decay and the bias
    // factor make the groups differ; dropout and the generator's noise make the RNG states matter.
    static readonly SolverOptions Options = new()
    {
        BaseLr = 0.05, BiasLrFactor = 2, Momentum = 0.9, WeightDecay = 1e-3, WeightDecayBias = 0,
        Steps = [N + 2], Gamma = 0.5, WarmupIters = N + 1, WarmupFactor = 0.25, WarmupMethod = WarmupMethod.Linear,
    };

    sealed class Run : IDisposable
    {
        public Sequential Model { get; }
        public SGD Optimizer { get; }
        public Generator Generator { get; } = new(seed: 5);
        public LrSchedule Schedule { get; } = LrSchedule.Create(Options);

        public Run(long modelSeed)
        {
            torch.manual_seed(modelSeed);
            Model = nn.Sequential(("fc1", nn.Linear(4, 8)), ("drop", nn.Dropout(0.25)), ("fc2", nn.Linear(8, 2)));
            Model.train();
            Optimizer = OptimizerBuilder.Build(Model, Options);
        }

        public Checkpointer Checkpointer(string dir, int keep = 0, IReadOnlyDictionary<string, string>? identity = null) =>
            new(Model, Optimizer, dir, Generator, dataLoaderSeed: 42, checkpointsToKeep: keep, modelIdentity: identity);

        public void Train(int from, int to)
        {
            using var x = arange(32, dtype: float32).reshape(8, 4) / 32;
            using var y = stack([x.sum(1), x[.., 0] - x[.., 3]], 1);
            for (var iteration = from; iteration <= to; iteration++)
            {
                using var scope = NewDisposeScope();
                Schedule.Apply(Optimizer, iteration);
                Optimizer.zero_grad();
                var noisy = x + 0.01 * randn([8, 4], generator: Generator);
                var loss = nn.functional.mse_loss(Model.call(noisy), y);
                loss.backward();
                Optimizer.step();
            }
        }

        public Dictionary<string, Tensor> Weights() => Model.state_dict().ToDictionary(e => e.Key, e => e.Value.detach().clone());

        public void Dispose()
        {
            Optimizer.Dispose();
            Model.Dispose();
            Generator.Dispose();
        }
    }

    [Fact]
    public void ResumingContinuesExactlyAsTrainingStraightThrough()
    {
        using var dir = new TempDir();
        using var straight = new Run(modelSeed: 1);
        straight.Train(1, 2 * N);
        var expected = straight.Weights();

        using (var first = new Run(modelSeed: 1))
        {
            first.Train(1, N);
            first.Checkpointer(dir.Path).Save(N);
        }

        using var resumed = new Run(modelSeed: 999); // other initial weights, other RNG position
        torch.manual_seed(12345);
        var point = resumed.Checkpointer(dir.Path).LoadLatest();
        Assert.NotNull(point);
        Assert.Equal((N, 42), (point.Iteration, point.DataLoaderSeed));
        Assert.Equal(Path.Combine(dir.Path, "model_0000006.safetensors"), point.Path);
        resumed.Train(N + 1, 2 * N);

        foreach (var (name, weight) in resumed.Weights())
            Assert.True(weight.allclose(expected[name], rtol: 0, atol: 1e-6), $"{name} differs after resuming");
    }

    [Fact]
    public void WithoutTheMomentumBuffersResumingWouldDiffer()
    {
        // The round trip above is only a proof if the momentum matters over these steps.
        using var dir = new TempDir();
        using var straight = new Run(modelSeed: 1);
        straight.Train(1, 2 * N);
        using var resumed = new Run(modelSeed: 1);
        resumed.Train(1, N);
        resumed.Checkpointer(dir.Path).Save(N);
        using (var fresh = new Run(modelSeed: 1))
        {
            var state = fresh.Checkpointer(dir.Path).LoadLatest();
            Assert.NotNull(state);
            // Same weights and RNG, no momentum: drop every buffer the load restored.
            foreach (var s in fresh.Optimizer.state_dict().State.Cast<SGD.State>()) { s.momentum_buffer?.Dispose(); s.momentum_buffer = null!; }
            fresh.Train(N + 1, 2 * N);
            var expected = straight.Weights();
            Assert.Contains(fresh.Weights(), w => !w.Value.allclose(expected[w.Key], rtol: 0, atol: 1e-6));
        }
    }

    [Fact]
    public void NoPointerMeansAFreshRun()
    {
        using var dir = new TempDir();
        using var run = new Run(modelSeed: 1);
        Assert.Null(run.Checkpointer(dir.Path).LoadLatest());
    }

    [Fact]
    public void ThePointerNamesTheNewestCheckpointAndFinal()
    {
        using var dir = new TempDir();
        using var run = new Run(modelSeed: 1);
        var checkpointer = run.Checkpointer(dir.Path);
        checkpointer.Save(10);
        checkpointer.Save(20);
        Assert.Equal("model_0000020.safetensors", File.ReadAllText(Path.Combine(dir.Path, "last_checkpoint")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "model_0000010.safetensors")));
        checkpointer.SaveFinal(30);
        Assert.Equal(Path.Combine(dir.Path, "model_final.safetensors"), checkpointer.LatestPath());
        Assert.Equal(30, checkpointer.LoadLatest()!.Iteration);
    }

    [Fact]
    public void AFailedSaveLeavesThePreviousCheckpointAndPointer()
    {
        using var dir = new TempDir();
        using var run = new Run(modelSeed: 1);
        run.Train(1, 2);
        var checkpointer = run.Checkpointer(dir.Path);
        checkpointer.Save(2);
        var saved = run.Weights();
        // Something in the way of the new file: the write fails when it moves into place.
        Directory.CreateDirectory(Path.Combine(dir.Path, "model_0000004.safetensors"));
        run.Train(3, 4);
        Assert.ThrowsAny<IOException>(() => checkpointer.Save(4));

        Assert.Equal("model_0000002.safetensors", File.ReadAllText(Path.Combine(dir.Path, "last_checkpoint")));
        Assert.Equal(["last_checkpoint", "model_0000002.safetensors"],
            Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal)); // no temporary file left
        using var other = new Run(modelSeed: 7);
        Assert.Equal(2, other.Checkpointer(dir.Path).LoadLatest()!.Iteration);
        foreach (var (name, weight) in other.Weights())
            Assert.True(weight.equal(saved[name]).all().item<bool>(), name);
    }

    [Fact]
    public void APointerToAMissingFileIsAnErrorNotAFreshStart()
    {
        using var dir = new TempDir();
        dir.File("last_checkpoint", "model_0000100.safetensors");
        using var run = new Run(modelSeed: 1);
        Assert.Contains("model_0000100.safetensors", Assert.Throws<RunStateException>(() => run.Checkpointer(dir.Path).LoadLatest()).Message);
    }

    [Fact]
    public void AnEmptyPointerIsAnErrorNotAFreshStart()
    {
        using var dir = new TempDir();
        var pointer = dir.File("last_checkpoint", "");
        using var run = new Run(modelSeed: 1);
        var e = Assert.Throws<RunStateException>(() => run.Checkpointer(dir.Path).LoadLatest());
        Assert.StartsWith($"{pointer} is empty; it should name the run's newest checkpoint", e.Message);
        Assert.EndsWith("or train with --no-resume to start over (overwriting this run's checkpoints)", e.Message);
        Assert.Throws<RunStateException>(() => Checkpointer.LatestIn(dir.Path)); // inference does not fall back to other weights either
    }

    [Fact]
    public void AStateHoldingNaNOrInfinityIsNeverWritten()
    {
        using var dir = new TempDir();
        using var run = new Run(modelSeed: 1);
        run.Train(1, 2);
        var checkpointer = run.Checkpointer(dir.Path);
        checkpointer.Save(2);
        var momentum = run.Optimizer.state_dict().State.Cast<SGD.State>().Last().momentum_buffer!;
        using (torch.no_grad()) momentum.fill_(double.PositiveInfinity);
        var e = Assert.Throws<TrainingDivergedException>(() => checkpointer.Save(3));
        Assert.StartsWith("after iteration 3: optimizer/momentum_buffer/fc2.bias holds NaN or infinity; not writing ", e.Message);
        using (torch.no_grad())
        {
            momentum.zero_();
            run.Model.get_parameter("fc1.weight")!.index_put_(torch.tensor(float.NaN), 1, 2);
        }
        e = Assert.Throws<TrainingDivergedException>(() => checkpointer.Save(4));
        Assert.Contains("fc1.weight holds NaN or infinity", e.Message);
        Assert.Contains("last_checkpoint still names", e.Message);
        Assert.Equal("model_0000002.safetensors", File.ReadAllText(Path.Combine(dir.Path, "last_checkpoint")));
        Assert.Equal(["last_checkpoint", "model_0000002.safetensors"],
            Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AFullDiskLeavesThePointerOnTheLastCompleteCheckpoint()
    {
        using var dir = new TempDir();
        using var run = new Run(modelSeed: 1);
        var checkpointer = run.Checkpointer(dir.Path);
        checkpointer.Save(2);
        NoSpaceLeftException e;
        using (AtomicFile.InterceptWrites((_, stream) => new MaskRcnn.Tests.IO.FullDiskStream(stream, bytesFree: 100)))
            e = Assert.Throws<NoSpaceLeftException>(() => checkpointer.Save(4));
        Assert.StartsWith($"no space left on OUTPUT_DIR {dir.Path} while writing model_0000004.safetensors (No space left on device). " +
                          $"last_checkpoint still names {Path.Combine(dir.Path, "model_0000002.safetensors")}, which is complete.", e.Message);
        Assert.Equal(["last_checkpoint", "model_0000002.safetensors"],
            Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var other = new Run(modelSeed: 7);
        Assert.Equal(2, other.Checkpointer(dir.Path).LoadLatest()!.Iteration);
    }

    [Fact]
    public void OlderPeriodicCheckpointsAreDeletedOnceTheNewOneIsComplete()
    {
        using var dir = new TempDir();
        using var run = new Run(modelSeed: 1);
        var checkpointer = run.Checkpointer(dir.Path, keep: 2);
        string[] Files() => Directory.GetFiles(dir.Path, "model_*").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        checkpointer.Save(2);
        checkpointer.Save(4);
        // A failed save deletes nothing.
        using (AtomicFile.InterceptWrites((_, stream) => new MaskRcnn.Tests.IO.FullDiskStream(stream, bytesFree: 100)))
            Assert.Throws<NoSpaceLeftException>(() => checkpointer.Save(6));
        Assert.Equal(["model_0000002.safetensors", "model_0000004.safetensors"], Files());
        checkpointer.Save(6);
        Assert.Equal(["model_0000004.safetensors", "model_0000006.safetensors"], Files());
        checkpointer.SaveFinal(8);
        checkpointer.Save(10); // past the end (a longer schedule resumed): model_final stays
        Assert.Equal(["model_0000006.safetensors", "model_0000010.safetensors", "model_final.safetensors"], Files());
    }

    [Fact]
    public void ACheckpointOfAnotherModelIsRefusedBeforeAnythingIsLoaded()
    {
        using var dir = new TempDir();
        var saved = new Dictionary<string, string> { ["MODEL.ROI_BOX_HEAD.NUM_CLASSES"] = "81", ["MODEL.BACKBONE.CONV_BODY"] = "R-50-FPN" };
        using (var first = new Run(modelSeed: 1))
            first.Checkpointer(dir.Path, identity: saved).Save(2);
        using var other = new Run(modelSeed: 7);
        var before = other.Weights();
        var now = new Dictionary<string, string>(saved) { ["MODEL.ROI_BOX_HEAD.NUM_CLASSES"] = "5", ["MODEL.NEW_KEY"] = "x" };
        var e = Assert.Throws<RunStateException>(() => other.Checkpointer(dir.Path, identity: now).LoadLatest());
        Assert.StartsWith($"{Path.Combine(dir.Path, "model_0000002.safetensors")} is a checkpoint of another model " +
                          "(MODEL.ROI_BOX_HEAD.NUM_CLASSES 81 in the checkpoint, 5 now): resuming would change the model.", e.Message);
        foreach (var (name, weight) in other.Weights()) Assert.True(weight.equal(before[name]).all().item<bool>(), name);
        Assert.Equal(2, other.Checkpointer(dir.Path, identity: saved).LoadLatest()!.Iteration);
    }
}
