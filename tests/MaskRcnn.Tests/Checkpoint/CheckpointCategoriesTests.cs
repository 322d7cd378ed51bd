using MaskRcnn.Checkpoint;
using MaskRcnn.Checkpoint.Naming;
using MaskRcnn.SafeTensors;
using MaskRcnn.Solver;
using TorchSharp;

namespace MaskRcnn.Tests.Checkpoint;

/// <summary>The training set's categories in every checkpoint's metadata: written by the Checkpointer, read back from
/// the header alone (and with the weights, in the load report); a malformed value is one line naming file and key.</summary>
public class CheckpointCategoriesTests
{
    static readonly CheckpointCategory[] Shapes = [new(1, "square"), new(2, "circle"), new(5, "tri \"angle\" é")];

    [Fact]
    public void EveryCheckpointCarriesTheCategoriesAndTheyReadBack()
    {
        using var dir = new TempDir();
        using var model = CheckpointTestModel.Build();
        using var optimizer = OptimizerBuilder.Build(model, new SolverOptions { BaseLr = 0.1, Momentum = 0.9 });
        var checkpointer = new Checkpointer(model, optimizer, dir.Path, categories: Shapes);
        var periodic = checkpointer.Save(2);
        var final = checkpointer.SaveFinal(4);

        foreach (var path in new[] { periodic, final })
        {
            Assert.Equal(Shapes, CheckpointCategories.ReadFile(path));
            using var raw = SafeTensorsFile.Open(path);
            Assert.Equal("""[{"id":1,"name":"square"},{"id":2,"name":"circle"},{"id":5,"name":"tri \"angle\" é"}]""", raw.Metadata["categories"]);
        }
        // Loading the weights reports the file's metadata, categories included.
        using var loaded = CheckpointTestModel.Build();
        var report = WeightLoader.LoadFile(loaded, final);
        Assert.Equal(Shapes, CheckpointCategories.Read(final, report.Metadata));
        Assert.Equal("maskrcnn-checkpoint", report.Metadata[CheckpointFormat.FormatKey]);
    }

    [Fact]
    public void ACheckpointerWithoutCategoriesWritesNone()
    {
        using var dir = new TempDir();
        using var model = CheckpointTestModel.Build();
        using var optimizer = OptimizerBuilder.Build(model, new SolverOptions { BaseLr = 0.1, Momentum = 0.9 });
        var path = new Checkpointer(model, optimizer, dir.Path).Save(1);
        Assert.Null(CheckpointCategories.ReadFile(path));
        // Nor does a file that is not ours: its load report has no metadata at all.
        var foreign = Path.Combine(dir.Path, "foreign.safetensors");
        using (var weights = CheckpointTestModel.Weights()) SafeTensorsWriter.Write(foreign, weights);
        Assert.Empty(WeightLoader.LoadFile(model, foreign, WeightScheme.MaskRcnnBenchmark).Metadata);
    }

    [Theory]
    [InlineData("square", "not JSON (")]
    [InlineData("{\"id\": 1, \"name\": \"a\"}", "not a JSON array")]
    [InlineData("[]", "the list is empty")]
    [InlineData("[{\"id\": 1, \"name\": \"a\"}, {\"id\": 1, \"name\": \"b\"}]", "category id 1 appears twice")]
    [InlineData("[{\"id\": 1, \"name\": \"a\"}, {\"id\": \"2\", \"name\": \"b\"}]", "entry 1 is not {\"id\": positive integer, \"name\": non-empty text}")]
    [InlineData("[{\"id\": 0, \"name\": \"a\"}]", "entry 0 is not {\"id\": positive integer, \"name\": non-empty text}")]
    [InlineData("[{\"id\": 1.5, \"name\": \"a\"}]", "entry 0 is not {\"id\": positive integer, \"name\": non-empty text}")]
    [InlineData("[{\"id\": 1, \"name\": \"\"}]", "entry 0 is not {\"id\": positive integer, \"name\": non-empty text}")]
    [InlineData("[{\"id\": 1}]", "entry 0 is not {\"id\": positive integer, \"name\": non-empty text}")]
    [InlineData("[\"square\"]", "entry 0 is not {\"id\": positive integer, \"name\": non-empty text}")]
    public void AMalformedValueIsOneLineNamingTheFileAndTheKey(string value, string why)
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "model_final.safetensors");
        using (var weights = CheckpointTestModel.Weights())
            CheckpointFile.SaveWeights(path, weights, provenance: new Dictionary<string, string> { [CheckpointFormat.CategoriesKey] = value });
        var e = Assert.Throws<WeightFileException>(() => CheckpointCategories.ReadFile(path));
        Assert.StartsWith($"{path}: metadata 'categories' is malformed: {why}", e.Message);
        Assert.EndsWith("; expected a JSON array in label order, [{\"id\": 1, \"name\": \"...\"}, ...]", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
