using System.Globalization;
using System.Text.Json;
using MaskRcnn.Cli;
using MaskRcnn.Config;
using YamlDotNet.RepresentationModel;

namespace MaskRcnn.Tests.Config;

/// <summary>
/// maskrcnn-benchmark's model zoo ships as our configs/, in its own layout: every one of its 66 files is there, holds
/// the reference's keys and values (Fixtures/model_zoo/reference_values.json, decoded from the reference files as
/// yacs decodes them by scripts/make_model_zoo_configs.py), and either loads, with `maskrcnn config` printing those
/// values, or stops with "not supported yet: KEY (feature)".
/// </summary>
public class ModelZooConfigTests
{
    static readonly Lazy<Dictionary<string, Dictionary<string, JsonElement>>> Reference = new(() =>
        JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, JsonElement>>>(
            File.ReadAllText(TestPaths.Fixture(Path.Combine("model_zoo", "reference_values.json"))))!);

    public static TheoryData<string> Files() => new(Reference.Value.Keys.Order(StringComparer.Ordinal));

    /// <summary>The features this tool does not build yet, and the zoo files that use them.</summary>
    public static string? ExpectedUnsupportedKey(string relative)
    {
        var name = Path.GetFileName(relative);
        if (relative.StartsWith("dcn")) return "MODEL.RESNETS.STAGE_WITH_DCN";
        if (name.Contains("fbnet")) return "MODEL.BACKBONE.CONV_BODY";
        return null;
    }

    [Fact]
    public void TheWholeZooIsShippedInItsOwnLayout()
    {
        Assert.Equal(66, Reference.Value.Count);
        foreach (var relative in Reference.Value.Keys)
            Assert.True(File.Exists(Path.Combine(TestPaths.Configs, relative)), $"configs/{relative} is missing");
        Assert.Contains("e2e_mask_rcnn_R_50_FPN_1x.yaml", Reference.Value.Keys);
        Assert.Contains("caffe2/e2e_mask_rcnn_R_50_FPN_1x_caffe2.yaml", Reference.Value.Keys);
        Assert.Contains("gn_baselines/e2e_mask_rcnn_R_50_FPN_1x_gn.yaml", Reference.Value.Keys);
        Assert.Contains("quick_schedules/e2e_mask_rcnn_R_50_FPN_quick.yaml", Reference.Value.Keys);
        Assert.Equal(55, Reference.Value.Keys.Count(f => ExpectedUnsupportedKey(f) is null)); // what runs today
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void HoldsTheReferenceKeysAndValues(string relative)
    {
        var path = Path.Combine(TestPaths.Configs, relative);
        var expected = Reference.Value[relative];
        Assert.Equal(expected.Keys.Order(), KeysSetIn(path).Order());
        var cfg = new MaskRcnnConfig();
        ConfigLoader.MergeFile(cfg, path); // no support check: unsupported files hold their values too
        var values = cfg.Flatten().ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (key, value) in expected)
            Assert.Equal(Canonical(value), Canonical(values[key]));
        Assert.StartsWith("# ", File.ReadLines(path).First()); // the header says what it is
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void LoadsAndPrintsTheReferenceValuesOrSaysNotSupportedYet(string relative)
    {
        var path = Path.Combine(TestPaths.Configs, relative);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = MaskRcnnCommandLine.Run(["config", "--config", path], stdout, stderr);
        if (ExpectedUnsupportedKey(relative) is { } key)
        {
            Assert.Equal(2, code);
            Assert.Matches($@"^maskrcnn: error: {System.Text.RegularExpressions.Regex.Escape(path)}: not supported yet: {key} \(.+\)$", stderr.ToString().Trim());
            return;
        }
        Assert.True(code == 0, stderr.ToString());
        var printed = Flatten(ParseYaml(stdout.ToString()), "");
        foreach (var (k, value) in Reference.Value[relative])
            Assert.Equal(Canonical(value), Canonical(printed[k], value));
    }

    [Fact]
    public void FpnMaskConfigMergesAsInMaskrcnnBenchmark()
    {
        var cfg = ConfigLoader.Load(Path.Combine(TestPaths.Configs, "e2e_mask_rcnn_R_50_FPN_1x.yaml"));
        Assert.Equal("R-50-FPN", cfg.Model.Backbone.ConvBody);
        Assert.Equal(256, cfg.Model.ResNets.BackboneOutChannels);
        Assert.Equal([4, 8, 16, 32, 64], cfg.Model.Rpn.AnchorStride);
        Assert.Equal(1000, cfg.Model.Rpn.FpnPostNmsTopNTest);
        Assert.Equal(2000, cfg.Model.Rpn.FpnPostNmsTopNTrain); // default kept
        Assert.Equal(28, cfg.Model.RoiMaskHead.Resolution);
        Assert.False(cfg.Model.RoiMaskHead.ShareBoxFeatureExtractor);
        Assert.Equal(["coco_2014_train", "coco_2014_valminusminival"], cfg.Datasets.Train);
        Assert.Equal(32, cfg.DataLoader.SizeDivisibility);
        Assert.Equal(0.02, cfg.Solver.BaseLr);
        Assert.Equal([60000, 80000], cfg.Solver.Steps);
        Assert.Equal("cuda", cfg.Model.Device); // maskrcnn-benchmark's default
    }

    [Fact]
    public void GroupNormScratchConfig()
    {
        var cfg = ConfigLoader.Load(Path.Combine(TestPaths.Configs, "gn_baselines", "scratch_e2e_mask_rcnn_R_50_FPN_3x_gn.yaml"));
        Assert.Equal("BottleneckWithGN", cfg.Model.ResNets.TransFunc);
        Assert.Equal("StemWithGN", cfg.Model.ResNets.StemFunc);
        Assert.True(cfg.Model.Fpn.UseGn);
        Assert.Equal(0, cfg.Model.Backbone.FreezeConvBodyAt);
        Assert.Equal("", cfg.Model.Weight);
    }

    /// <summary>Every value key a YAML file sets, as a full dotted key.</summary>
    static IEnumerable<string> KeysSetIn(string path) =>
        Flatten(ParseYaml(File.ReadAllText(path)), "").Keys;

    static YamlNode ParseYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents[0].RootNode;
    }

    static Dictionary<string, YamlNode> Flatten(YamlNode node, string prefix)
    {
        var result = new Dictionary<string, YamlNode>();
        foreach (var (k, v) in ((YamlMappingNode)node).Children)
        {
            var key = prefix + ((YamlScalarNode)k).Value;
            if (v is YamlMappingNode) foreach (var kv in Flatten(v, key + ".")) result.Add(kv.Key, kv.Value);
            else result.Add(key, v);
        }
        return result;
    }

    // Values as comparable text: numbers as doubles (an int 1 and a float 1.0 are the same number), bools, strings,
    // sequences element by element.
    static string Canonical(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => "[" + string.Join(", ", e.EnumerateArray().Select(Canonical)) + "]",
        JsonValueKind.Number => e.GetDouble().ToString("R", CultureInfo.InvariantCulture),
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        JsonValueKind.String => "'" + e.GetString() + "'",
        _ => throw new InvalidOperationException($"unexpected {e.ValueKind} in the fixture"),
    };

    static string Canonical(object? typed) => typed switch
    {
        bool b => b ? "True" : "False",
        int i => ((double)i).ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        string s => "'" + s + "'",
        System.Collections.IEnumerable seq => "[" + string.Join(", ", seq.Cast<object?>().Select(Canonical)) + "]",
        _ => throw new InvalidOperationException($"unexpected config value {typed}"),
    };

    /// <summary>A printed YAML value read the way the reference value is typed.</summary>
    static string Canonical(YamlNode printed, JsonElement like) => (printed, like.ValueKind) switch
    {
        (YamlSequenceNode seq, JsonValueKind.Array) =>
            "[" + string.Join(", ", seq.Children.Zip(like.EnumerateArray(), (p, l) => Canonical(p, l))) + "]",
        (YamlScalarNode s, JsonValueKind.Number) => double.Parse(s.Value!, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture),
        (YamlScalarNode s, JsonValueKind.True or JsonValueKind.False) => s.Value!,
        (YamlScalarNode s, JsonValueKind.String) => "'" + s.Value + "'",
        _ => $"printed {printed} where the reference has {like}",
    };
}
