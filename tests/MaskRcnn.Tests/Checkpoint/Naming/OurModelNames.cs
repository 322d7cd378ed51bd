using MaskRcnn.Config;
using MaskRcnn.Modeling;

namespace MaskRcnn.Tests.Checkpoint.Naming;

/// <summary>The state-dict names and shapes of a model built from a shipped config (building draws on torch's global
/// generator: callers belong to the training collection).</summary>
static class OurModelNames
{
    public static Dictionary<string, long[]> Of(string config, params string[] overrides)
    {
        using var model = ModelBuilder.Build(ConfigLoader.Load(Path.Combine(TestPaths.RepoRoot, "configs", config), ["MODEL.DEVICE", "cpu", .. overrides]));
        return model.state_dict().ToDictionary(e => e.Key, e => e.Value.shape, StringComparer.Ordinal);
    }

    /// <summary>Asserts two name sets are equal, showing a few of the names either lacks.</summary>
    public static void AssertSame(IEnumerable<string> expected, IEnumerable<string> actual)
    {
        var missing = expected.Except(actual).Order(StringComparer.Ordinal).Take(5).ToList();
        var extra = actual.Except(expected).Order(StringComparer.Ordinal).Take(5).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0, $"missing: {string.Join(", ", missing)}; extra: {string.Join(", ", extra)}");
        Assert.Equal(expected.Count(), actual.Count());
    }
}
